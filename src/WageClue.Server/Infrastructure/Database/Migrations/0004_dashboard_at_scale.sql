-- The dashboards at a million clues (issue 5, measured by deploy/bench.sh):
-- 1. A clock carries its clue's district (which never changes after intake), so "overdue in my districts" is one
--    range of one partial index instead of a join that read every clue of the district.
ALTER TABLE wageclue.clue_clocks ADD COLUMN district_id text;
UPDATE wageclue.clue_clocks k SET district_id = c.district_id FROM wageclue.clues c WHERE c.id = k.clue_id;
ALTER TABLE wageclue.clue_clocks ALTER COLUMN district_id SET NOT NULL;
CREATE INDEX clue_clocks_district_running_due_idx ON wageclue.clue_clocks (district_id, due_at)
    WHERE met_at IS NULL AND cancelled_at IS NULL;

-- 2. Counts by district and state, and the compliance figures of every finished day, are summaries that a job
--    rebuilds every few minutes (StatsRefresh): reading them costs microseconds; counting a million rows per page
--    view cost 130-570 ms. Today's part of a rate is always computed live.
CREATE TABLE wageclue.clue_state_counts (
    district_id  text NOT NULL,
    state        text NOT NULL,
    count        bigint NOT NULL,
    PRIMARY KEY (district_id, state)
);

CREATE TABLE wageclue.clock_day_stats (
    day          date NOT NULL,     -- the local day the clocks fell due
    district_id  text NOT NULL,
    clock        text NOT NULL,
    on_time      bigint NOT NULL,
    total        bigint NOT NULL,
    PRIMARY KEY (day, district_id, clock)
);

-- One row: when the summaries were built, and the instant up to which clock_day_stats covers (a local midnight).
CREATE TABLE wageclue.stats_refresh (
    id            int PRIMARY KEY CHECK (id = 1),
    refreshed_at  timestamptz,
    days_until    timestamptz NOT NULL
);
INSERT INTO wageclue.stats_refresh (id, refreshed_at, days_until) VALUES (1, NULL, '-infinity');
