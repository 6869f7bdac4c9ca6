-- Escalations and the email outbox (issue 3). The SLA sweep claims due clocks, records each escalation once and
-- queues its emails here in the same transaction; jobs send the outbox.

ALTER TABLE wageclue.clue_history DROP CONSTRAINT clue_history_kind_check;
ALTER TABLE wageclue.clue_history ADD CONSTRAINT clue_history_kind_check
    CHECK (kind IN ('registered', 'action', 'recomputed', 'escalated'));

-- When the sweep first saw the clock past its deadline, unmet: "marks overdue clocks".
ALTER TABLE wageclue.clue_clocks ADD COLUMN overdue_at timestamptz;

-- Clocks registered before the sweep existed have no escalation point yet: the first sweep plans them.
UPDATE wageclue.clue_clocks SET next_escalation_at = now()
WHERE met_at IS NULL AND cancelled_at IS NULL AND next_escalation_at IS NULL AND escalation_level = 0;

-- One row per clue, clock and level, ever: the unique key is what "exactly once" rests on.
CREATE TABLE wageclue.escalations (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    clue_id       bigint NOT NULL REFERENCES wageclue.clues (id),
    clock         text NOT NULL,
    level         int NOT NULL,
    level_id      text NOT NULL,
    district_id   text NOT NULL REFERENCES wageclue.districts (id),
    due_at        timestamptz NOT NULL,   -- the clock's deadline when it was escalated
    point_at      timestamptz NOT NULL,   -- when this level fell due
    recorded_at   timestamptz NOT NULL,   -- when the sweep recorded it (later than point_at after downtime)
    -- A warning whose deadline had passed by the time the sweep got to it: recorded, nobody emailed.
    superseded    boolean NOT NULL DEFAULT false,
    UNIQUE (clue_id, clock, level)
);
CREATE INDEX escalations_recorded_idx ON wageclue.escalations (recorded_at, id);
CREATE INDEX escalations_district_idx ON wageclue.escalations (district_id, recorded_at);

CREATE TABLE wageclue.email_outbox (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('escalation', 'digest')),
    escalation_id    bigint REFERENCES wageclue.escalations (id),
    digest_day       date,
    recipient_id     bigint NOT NULL REFERENCES wageclue.users (id),
    to_address       text,            -- null when the user had no address: status 'skipped'
    subject          text NOT NULL,
    body             text NOT NULL,
    -- Derived from what the email is about, never random: a resend after a crash carries the same Message-ID.
    message_id       text NOT NULL UNIQUE,
    status           text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
    attempts         int NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    claimed_at       timestamptz,     -- set while a sender holds it; a claim older than the lease is taken over
    last_error       text,
    created_at       timestamptz NOT NULL,
    sent_at          timestamptz,
    CHECK ((kind = 'escalation') = (escalation_id IS NOT NULL)),
    CHECK ((kind = 'digest') = (digest_day IS NOT NULL))
);
CREATE UNIQUE INDEX email_outbox_escalation_uq ON wageclue.email_outbox (escalation_id, recipient_id) WHERE escalation_id IS NOT NULL;
CREATE UNIQUE INDEX email_outbox_digest_uq ON wageclue.email_outbox (digest_day, recipient_id) WHERE digest_day IS NOT NULL;
CREATE INDEX email_outbox_work_idx ON wageclue.email_outbox (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX email_outbox_status_idx ON wageclue.email_outbox (status, created_at);
