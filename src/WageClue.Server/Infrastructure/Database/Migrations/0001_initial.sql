-- WageClue's own schema. Hangfire (a later issue) keeps its tables in schema "hangfire".

CREATE TABLE wageclue.districts (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('district', 'county', 'zone')),
    sort_order  int  NOT NULL
);

-- Administrative codes where they exist; the three functional zones have no official code, so they get stable ids
-- of our own that can never collide with a six-digit code.
INSERT INTO wageclue.districts (id, name, kind, sort_order) VALUES
    ('370302', '淄川区', 'district', 1),
    ('370303', '张店区', 'district', 2),
    ('370304', '博山区', 'district', 3),
    ('370305', '临淄区', 'district', 4),
    ('370306', '周村区', 'district', 5),
    ('370321', '桓台县', 'county', 6),
    ('370322', '高青县', 'county', 7),
    ('370323', '沂源县', 'county', 8),
    ('zb-hitech', '高新区', 'zone', 9),
    ('zb-econdev', '经济开发区', 'zone', 10),
    ('zb-wenchanghu', '文昌湖区', 'zone', 11);

CREATE TABLE wageclue.users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username        text NOT NULL,
    display_name    text NOT NULL,
    email           text,
    role            text NOT NULL CHECK (role IN ('caseworker', 'supervisor', 'leader', 'admin')),
    password_hash   text NOT NULL,
    disabled        boolean NOT NULL DEFAULT false,
    -- Changes whenever the password, role or status changes; tokens carrying an older stamp stop working at once.
    security_stamp  uuid NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON wageclue.users (lower(username));

CREATE TABLE wageclue.user_districts (
    user_id      bigint NOT NULL REFERENCES wageclue.users (id) ON DELETE CASCADE,
    district_id  text   NOT NULL REFERENCES wageclue.districts (id),
    PRIMARY KEY (user_id, district_id)
);
CREATE INDEX user_districts_district_idx ON wageclue.user_districts (district_id);

-- The calendar's version is max(revision): every change of a year takes the next value.
CREATE SEQUENCE wageclue.calendar_revision;

CREATE TABLE wageclue.calendar_years (
    year        int PRIMARY KEY,
    holidays    date[] NOT NULL,
    workdays    date[] NOT NULL,
    notice      text,
    published   date,
    source      text,
    revision    bigint NOT NULL,
    updated_at  timestamptz NOT NULL,
    updated_by  bigint REFERENCES wageclue.users (id)
);

CREATE TABLE wageclue.clues (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tracking_code          text NOT NULL UNIQUE,
    definition_id          text NOT NULL,
    definition_version     int  NOT NULL,
    calendar_version       bigint NOT NULL,
    channel                text NOT NULL,
    district_id            text NOT NULL REFERENCES wageclue.districts (id),
    complainant_name       text NOT NULL,
    complainant_phone      text NOT NULL,
    complainant_id_number  text,
    employer_name          text NOT NULL,
    employer_credit_code   text,
    industry               text,
    worker_count           int NOT NULL CHECK (worker_count >= 1),
    amount_owed            numeric(14, 2) NOT NULL CHECK (amount_owed >= 0),
    description            text NOT NULL,
    received_at            timestamptz NOT NULL,
    receipt_day            date NOT NULL,
    state                  text NOT NULL,
    version                int NOT NULL DEFAULT 1,
    assignee_id            bigint REFERENCES wageclue.users (id),
    route                  text,
    rejection_reason       text,
    merged_into            bigint REFERENCES wageclue.clues (id),
    outcome                text,
    amount_recovered       numeric(14, 2),
    workers_paid           int,
    created_at             timestamptz NOT NULL,
    created_by             bigint REFERENCES wageclue.users (id),
    updated_at             timestamptz NOT NULL
);
CREATE INDEX clues_district_state_idx ON wageclue.clues (district_id, state);
CREATE INDEX clues_assignee_idx ON wageclue.clues (assignee_id) WHERE assignee_id IS NOT NULL;
CREATE INDEX clues_received_idx ON wageclue.clues (received_at DESC, id DESC);

-- Append-only: a clue's timeline, like Hangfire's job history.
CREATE TABLE wageclue.clue_history (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    clue_id       bigint NOT NULL REFERENCES wageclue.clues (id),
    at            timestamptz NOT NULL,
    actor_id      bigint REFERENCES wageclue.users (id),
    kind          text NOT NULL CHECK (kind IN ('registered', 'action', 'recomputed')),
    action        text,
    from_state    text,
    to_state      text,
    clue_version  int NOT NULL,
    data          jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX clue_history_clue_idx ON wageclue.clue_history (clue_id, id);

-- One row per SLA clock. escalation_level and next_escalation_at are the sweep's bookkeeping.
CREATE TABLE wageclue.clue_clocks (
    clue_id             bigint NOT NULL REFERENCES wageclue.clues (id),
    clock               text NOT NULL,
    due_at              timestamptz NOT NULL,
    provisional         boolean NOT NULL,
    met_at              timestamptz,
    met_by              text,
    cancelled_at        timestamptz,
    escalation_level    int NOT NULL DEFAULT 0,
    next_escalation_at  timestamptz,
    PRIMARY KEY (clue_id, clock)
);
CREATE INDEX clue_clocks_running_due_idx ON wageclue.clue_clocks (due_at) WHERE met_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX clue_clocks_escalation_idx ON wageclue.clue_clocks (next_escalation_at) WHERE next_escalation_at IS NOT NULL;

-- A retried intake with the same key (per caller) returns the first clue; the primary key makes that race-free.
CREATE TABLE wageclue.idempotency_keys (
    user_id       bigint NOT NULL REFERENCES wageclue.users (id),
    key           text NOT NULL,
    request_hash  bytea NOT NULL,
    clue_id       bigint NOT NULL REFERENCES wageclue.clues (id),
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Every full view of a complainant's personal data (PIPL): who, when, which clue.
CREATE TABLE wageclue.pii_access_log (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    clue_id  bigint NOT NULL REFERENCES wageclue.clues (id),
    user_id  bigint NOT NULL REFERENCES wageclue.users (id),
    at       timestamptz NOT NULL,
    purpose  text NOT NULL
);
CREATE INDEX pii_access_log_clue_idx ON wageclue.pii_access_log (clue_id, at);

-- ASP.NET Data Protection key ring, shared by every server instance so tokens work on all of them.
CREATE TABLE wageclue.data_protection_keys (
    name        text PRIMARY KEY,
    xml         text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
