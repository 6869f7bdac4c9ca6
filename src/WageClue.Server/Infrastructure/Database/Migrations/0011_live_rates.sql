-- The compliance rates read the days the summary covers from clock_day_stats and count the rest live from the clocks:
-- today's part, every clock due since local midnight (DashboardQueries.LiveAsync). After the day's 17:30 deadlines
-- that is a whole day of clocks: at a million clues the benchmark's day has 55 000 in the city, and reading each from
-- the table (due_at index, then the row for its district and meeting time) took 140-170 ms. These two indexes carry
-- what the rates count, on the clocks that count (Counted: not cancelled, not paused), so the live part reads index
-- entries alone: one district 4 ms, the city 36 ms, measured on the same data. The summaries' rebuild
-- (StatsRefresh, every 5 minutes) reads the first one too, which replaces the plain due_at index.
DROP INDEX wageclue.workflow_clocks_due_idx;
CREATE INDEX workflow_clocks_counted_due_idx ON wageclue.workflow_clocks (due_at)
    INCLUDE (district_id, clock, met_at, original_due_at) WHERE cancelled_at IS NULL AND paused_at IS NULL;
CREATE INDEX workflow_clocks_district_counted_due_idx ON wageclue.workflow_clocks (district_id, due_at)
    INCLUDE (clock, met_at, original_due_at) WHERE cancelled_at IS NULL AND paused_at IS NULL;
