-- The workflow core (issue 9). Every subject (a clue; later an employer's listing case) is a workflow instance:
-- its pinned definition, state and version live here, its facts in the subject's own table under the same id.
-- Clocks and history belong to the instance, so a second workflow adds no clock, history or sweep code.

CREATE TABLE wageclue.workflow_instances (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject             text NOT NULL CHECK (subject IN ('clue')),
    definition_id       text NOT NULL,
    definition_version  int  NOT NULL,
    calendar_version    bigint NOT NULL,
    state               text NOT NULL,
    -- The state before the current one: where 恢复 (resume) returns to after 中止.
    previous_state      text,
    version             int  NOT NULL DEFAULT 1,
    district_id         text NOT NULL REFERENCES wageclue.districts (id),
    assignee_id         bigint REFERENCES wageclue.users (id),
    created_by          bigint REFERENCES wageclue.users (id),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
INSERT INTO wageclue.workflow_instances (id, subject, definition_id, definition_version, calendar_version, state, version,
    district_id, assignee_id, created_by, created_at, updated_at)
OVERRIDING SYSTEM VALUE
SELECT id, 'clue', definition_id, definition_version, calendar_version, state, version, district_id, assignee_id, created_by, created_at, updated_at
FROM wageclue.clues;
SELECT setval(pg_get_serial_sequence('wageclue.workflow_instances', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM wageclue.workflow_instances), false);
CREATE INDEX workflow_instances_district_state_idx ON wageclue.workflow_instances (district_id, state);
CREATE INDEX workflow_instances_assignee_idx ON wageclue.workflow_instances (assignee_id) WHERE assignee_id IS NOT NULL;
CREATE INDEX workflow_instances_created_by_idx ON wageclue.workflow_instances (created_by);

ALTER TABLE wageclue.clues ALTER COLUMN id DROP IDENTITY;
ALTER TABLE wageclue.clues ADD CONSTRAINT clues_instance_fk FOREIGN KEY (id) REFERENCES wageclue.workflow_instances (id);
ALTER TABLE wageclue.clues
    DROP COLUMN definition_id, DROP COLUMN definition_version, DROP COLUMN calendar_version, DROP COLUMN state,
    DROP COLUMN version, DROP COLUMN district_id, DROP COLUMN assignee_id, DROP COLUMN created_by,
    DROP COLUMN created_at, DROP COLUMN updated_at;
-- What version 2 of the definition records on a clue (its fields' "updates").
ALTER TABLE wageclue.clues
    ADD COLUMN outcome_type text, ADD COLUMN case_number text, ADD COLUMN suspend_reason text,
    ADD COLUMN transfer_receiver text, ADD COLUMN transfer_receiver_name text, ADD COLUMN satisfaction text;

-- Clocks: one row per round of a clock (a second urge, a second 办结 start a new round).
ALTER TABLE wageclue.clue_clocks RENAME TO workflow_clocks;
ALTER TABLE wageclue.workflow_clocks RENAME COLUMN clue_id TO instance_id;
ALTER TABLE wageclue.workflow_clocks DROP CONSTRAINT clue_clocks_pkey;
ALTER TABLE wageclue.workflow_clocks DROP CONSTRAINT clue_clocks_clue_id_fkey;
ALTER TABLE wageclue.workflow_clocks
    ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ADD COLUMN round int NOT NULL DEFAULT 1,
    ADD COLUMN started_at timestamptz,
    ADD COLUMN paused_at timestamptz,             -- set while paused (中止); the clock is then not running
    ADD COLUMN paused_remaining interval,         -- working time left at the pause (negative: already overdue)
    ADD COLUMN resumed_at timestamptz,            -- last resume, and the working time it restored: a recompute counts from them
    ADD COLUMN resumed_remaining interval,
    ADD COLUMN original_due_at timestamptz,       -- the due time before the first approved extension
    ADD COLUMN extensions int NOT NULL DEFAULT 0,
    ADD COLUMN extension_days int NOT NULL DEFAULT 0,
    ADD COLUMN extension_request_days int;        -- a pending 延期申请
UPDATE wageclue.workflow_clocks k SET started_at = c.received_at FROM wageclue.clues c WHERE c.id = k.instance_id;
ALTER TABLE wageclue.workflow_clocks ALTER COLUMN started_at SET NOT NULL;
ALTER TABLE wageclue.workflow_clocks ADD CONSTRAINT workflow_clocks_instance_fk FOREIGN KEY (instance_id) REFERENCES wageclue.workflow_instances (id);
CREATE UNIQUE INDEX workflow_clocks_round_key ON wageclue.workflow_clocks (instance_id, clock, round);
-- "Running" is written once in code (ClockStore.Running); these predicates are the same condition.
DROP INDEX wageclue.clue_clocks_running_due_idx;
DROP INDEX wageclue.clue_clocks_district_running_due_idx;
CREATE INDEX workflow_clocks_running_due_idx ON wageclue.workflow_clocks (due_at)
    WHERE met_at IS NULL AND cancelled_at IS NULL AND paused_at IS NULL;
CREATE INDEX workflow_clocks_district_running_due_idx ON wageclue.workflow_clocks (district_id, due_at)
    WHERE met_at IS NULL AND cancelled_at IS NULL AND paused_at IS NULL;
CREATE INDEX workflow_clocks_paused_idx ON wageclue.workflow_clocks (district_id, paused_at)
    WHERE met_at IS NULL AND cancelled_at IS NULL AND paused_at IS NOT NULL;
ALTER INDEX wageclue.clue_clocks_escalation_idx RENAME TO workflow_clocks_escalation_idx;
ALTER INDEX wageclue.clue_clocks_due_idx RENAME TO workflow_clocks_due_idx;

-- History: append-only, one typed entry per row (Workflows/Engine/History.cs).
ALTER TABLE wageclue.clue_history RENAME TO workflow_history;
ALTER TABLE wageclue.workflow_history RENAME COLUMN clue_id TO instance_id;
ALTER TABLE wageclue.workflow_history RENAME COLUMN clue_version TO instance_version;
ALTER TABLE wageclue.workflow_history DROP CONSTRAINT clue_history_clue_id_fkey;
ALTER TABLE wageclue.workflow_history ADD CONSTRAINT workflow_history_instance_fk FOREIGN KEY (instance_id) REFERENCES wageclue.workflow_instances (id);
ALTER INDEX wageclue.clue_history_clue_idx RENAME TO workflow_history_instance_idx;

-- Escalations belong to a round of a clock: once per (clock round, level).
ALTER TABLE wageclue.escalations RENAME COLUMN clue_id TO instance_id;
ALTER TABLE wageclue.escalations DROP CONSTRAINT escalations_clue_id_fkey;
ALTER TABLE wageclue.escalations ADD CONSTRAINT escalations_instance_fk FOREIGN KEY (instance_id) REFERENCES wageclue.workflow_instances (id);
ALTER TABLE wageclue.escalations ADD COLUMN clock_id bigint REFERENCES wageclue.workflow_clocks (id);
UPDATE wageclue.escalations e SET clock_id = k.id FROM wageclue.workflow_clocks k WHERE k.instance_id = e.instance_id AND k.clock = e.clock;
ALTER TABLE wageclue.escalations ALTER COLUMN clock_id SET NOT NULL;
ALTER TABLE wageclue.escalations DROP CONSTRAINT escalations_clue_id_clock_level_key;
ALTER TABLE wageclue.escalations ADD CONSTRAINT escalations_clock_level_key UNIQUE (clock_id, level);

-- Notices: an email an action sends at once (督办 to the assignee, 移交 to the receiving district), once per action.
ALTER TABLE wageclue.email_outbox DROP CONSTRAINT email_outbox_kind_check;
ALTER TABLE wageclue.email_outbox ADD CONSTRAINT email_outbox_kind_check CHECK (kind IN ('escalation', 'digest', 'notice'));
ALTER TABLE wageclue.email_outbox ADD COLUMN notice_key text;
ALTER TABLE wageclue.email_outbox ADD CONSTRAINT email_outbox_notice_check CHECK ((kind = 'notice') = (notice_key IS NOT NULL));
CREATE UNIQUE INDEX email_outbox_notice_uq ON wageclue.email_outbox (notice_key, recipient_id) WHERE notice_key IS NOT NULL;

-- The integration account of another system (the 12345 hotline) is a role of its own.
ALTER TABLE wageclue.users DROP CONSTRAINT users_role_check;
ALTER TABLE wageclue.users ADD CONSTRAINT users_role_check CHECK (role IN ('caseworker', 'supervisor', 'leader', 'admin', 'integration'));

-- Compliance counts a clock met within an approved extension apart from one met in its original time.
ALTER TABLE wageclue.clock_day_stats ADD COLUMN extended bigint NOT NULL DEFAULT 0;
