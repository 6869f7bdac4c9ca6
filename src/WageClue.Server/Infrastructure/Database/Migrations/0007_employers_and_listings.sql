-- Employers, their credit records, and the listing workflow (issue 10; 人社部令第45号).

-- The one rule for matching employers that have no credit code: the name without blanks, with full-width brackets
-- read as half-width and Latin letters in upper case (“淄博 华信（集团）” and “淄博华信(集团)” are one employer).
CREATE FUNCTION wageclue.employer_name_key(name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN upper(translate(regexp_replace(name, '[[:space:]　]+', '', 'g'), '（）', '()'));

CREATE TABLE wageclue.employers (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The unified social credit code (validated at intake), or null for an employer known only by its name.
    credit_code   text UNIQUE,
    name          text NOT NULL,
    name_key      text NOT NULL,
    district_id   text NOT NULL REFERENCES wageclue.districts (id),
    created_at    timestamptz NOT NULL
);
CREATE UNIQUE INDEX employers_name_key_uq ON wageclue.employers (name_key) WHERE credit_code IS NULL;
CREATE INDEX employers_name_key_idx ON wageclue.employers (name_key);

ALTER TABLE wageclue.clues ADD COLUMN employer_id bigint REFERENCES wageclue.employers (id);
-- Existing clues: one employer per credit code (its newest name), and one per name key among clues without a code.
INSERT INTO wageclue.employers (credit_code, name, name_key, district_id, created_at)
SELECT DISTINCT ON (c.employer_credit_code) c.employer_credit_code, c.employer_name, wageclue.employer_name_key(c.employer_name), i.district_id, i.created_at
FROM wageclue.clues c JOIN wageclue.workflow_instances i ON i.id = c.id
WHERE c.employer_credit_code IS NOT NULL
ORDER BY c.employer_credit_code, c.received_at DESC;
INSERT INTO wageclue.employers (credit_code, name, name_key, district_id, created_at)
SELECT DISTINCT ON (wageclue.employer_name_key(c.employer_name)) NULL, c.employer_name, wageclue.employer_name_key(c.employer_name), i.district_id, i.created_at
FROM wageclue.clues c JOIN wageclue.workflow_instances i ON i.id = c.id
WHERE c.employer_credit_code IS NULL
ORDER BY wageclue.employer_name_key(c.employer_name), c.received_at DESC;
UPDATE wageclue.clues c SET employer_id = e.id FROM wageclue.employers e
WHERE (c.employer_credit_code IS NOT NULL AND e.credit_code = c.employer_credit_code)
   OR (c.employer_credit_code IS NULL AND e.credit_code IS NULL AND e.name_key = wageclue.employer_name_key(c.employer_name));
ALTER TABLE wageclue.clues ALTER COLUMN employer_id SET NOT NULL;
CREATE INDEX clues_employer_idx ON wageclue.clues (employer_id, received_at DESC);

-- 不良行为记录: recorded by a caseworker from a resolved clue, confirmed by a supervisor, corrected with a reason,
-- never deleted. Each change keeps the earlier values in credit_record_revisions.
CREATE TABLE wageclue.credit_records (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    employer_id   bigint NOT NULL REFERENCES wageclue.employers (id),
    district_id   text NOT NULL REFERENCES wageclue.districts (id),
    finding       text NOT NULL,
    amount        numeric(14, 2) NOT NULL CHECK (amount >= 0),
    found_on      date NOT NULL,
    status        text NOT NULL CHECK (status IN ('proposed', 'confirmed', 'withdrawn')),
    revision      int NOT NULL DEFAULT 1,
    recorded_by   bigint NOT NULL REFERENCES wageclue.users (id),
    recorded_at   timestamptz NOT NULL,
    confirmed_by  bigint REFERENCES wageclue.users (id),
    confirmed_at  timestamptz,
    CHECK ((status = 'proposed') = (confirmed_at IS NULL) OR status = 'withdrawn')
);
CREATE INDEX credit_records_employer_idx ON wageclue.credit_records (employer_id);
CREATE INDEX credit_records_district_idx ON wageclue.credit_records (district_id, status);
-- A clue is the ground of at most one record.
CREATE TABLE wageclue.credit_record_clues (
    clue_id    bigint PRIMARY KEY REFERENCES wageclue.clues (id),
    record_id  bigint NOT NULL REFERENCES wageclue.credit_records (id)
);
CREATE INDEX credit_record_clues_record_idx ON wageclue.credit_record_clues (record_id);
CREATE TABLE wageclue.credit_record_revisions (
    record_id   bigint NOT NULL REFERENCES wageclue.credit_records (id),
    revision    int NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('recorded', 'confirmed', 'corrected', 'withdrawn')),
    finding     text NOT NULL,
    amount      numeric(14, 2) NOT NULL,
    found_on    date NOT NULL,
    status      text NOT NULL,
    reason      text,
    changed_by  bigint NOT NULL REFERENCES wageclue.users (id),
    changed_at  timestamptz NOT NULL,
    PRIMARY KEY (record_id, revision)
);

-- A listing case is a workflow instance of its own definition (workflows/employer-listing.v1.json).
ALTER TABLE wageclue.workflow_instances DROP CONSTRAINT workflow_instances_subject_check;
ALTER TABLE wageclue.workflow_instances ADD CONSTRAINT workflow_instances_subject_check CHECK (subject IN ('clue', 'listing'));
CREATE SEQUENCE wageclue.listing_case_seq;
CREATE TABLE wageclue.listings (
    id                    bigint PRIMARY KEY REFERENCES wageclue.workflow_instances (id),
    case_number           text NOT NULL UNIQUE,
    employer_id           bigint NOT NULL REFERENCES wageclue.employers (id),
    clue_id               bigint REFERENCES wageclue.clues (id),
    order_number          text NOT NULL,
    order_deadline        date NOT NULL,
    amount                numeric(14, 2) NOT NULL CHECK (amount >= 0),
    worker_count          int NOT NULL CHECK (worker_count >= 0),
    group_incident        boolean NOT NULL,
    notice_number         text,
    objection             text,
    objection_reply       text,
    closed_reason         text,
    corrected_on          date,
    pledge                text,
    decision_number       text,
    decision_reason       text,
    decision_basis        text,
    sanctions             text,
    removal_conditions    text,
    remedies              text,
    legal_representative  text,
    responsible_persons   text,
    decided_at            timestamptz,
    end_reason            text
);
CREATE INDEX listings_employer_idx ON wageclue.listings (employer_id);

-- Clocks know their subject, so the clue dashboards read clue clocks alone from their indexes, and a listing's
-- periods (objection window, term) never appear among clue deadlines.
ALTER TABLE wageclue.workflow_clocks ADD COLUMN subject text NOT NULL DEFAULT 'clue' CHECK (subject IN ('clue', 'listing'));
DROP INDEX wageclue.workflow_clocks_running_due_idx;
DROP INDEX wageclue.workflow_clocks_district_running_due_idx;
CREATE INDEX workflow_clocks_running_due_idx ON wageclue.workflow_clocks (due_at)
    WHERE met_at IS NULL AND cancelled_at IS NULL AND paused_at IS NULL AND subject = 'clue';
CREATE INDEX workflow_clocks_district_running_due_idx ON wageclue.workflow_clocks (district_id, due_at)
    WHERE met_at IS NULL AND cancelled_at IS NULL AND paused_at IS NULL AND subject = 'clue';
CREATE INDEX workflow_clocks_listing_idx ON wageclue.workflow_clocks (instance_id) WHERE subject = 'listing';

-- Every clue links to its employer, however it is inserted (intake, import, the benchmark's bulk load): unless the
-- caseworker confirmed one (employer_id given), the employer of its credit code, or without a code of its name key,
-- created on first sight. Concurrent intakes of a new employer meet on the unique indexes, never make two.
CREATE FUNCTION wageclue.link_clue_employer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.employer_id IS NOT NULL THEN RETURN NEW; END IF;
    IF NEW.employer_credit_code IS NOT NULL THEN
        INSERT INTO wageclue.employers (credit_code, name, name_key, district_id, created_at)
        SELECT NEW.employer_credit_code, NEW.employer_name, wageclue.employer_name_key(NEW.employer_name), i.district_id, now()
        FROM wageclue.workflow_instances i WHERE i.id = NEW.id
        ON CONFLICT (credit_code) DO NOTHING;
        SELECT id INTO NEW.employer_id FROM wageclue.employers WHERE credit_code = NEW.employer_credit_code;
    ELSE
        INSERT INTO wageclue.employers (credit_code, name, name_key, district_id, created_at)
        SELECT NULL, NEW.employer_name, wageclue.employer_name_key(NEW.employer_name), i.district_id, now()
        FROM wageclue.workflow_instances i WHERE i.id = NEW.id
        ON CONFLICT (name_key) WHERE credit_code IS NULL DO NOTHING;
        SELECT id INTO NEW.employer_id FROM wageclue.employers
        WHERE credit_code IS NULL AND name_key = wageclue.employer_name_key(NEW.employer_name);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER clues_link_employer BEFORE INSERT ON wageclue.clues FOR EACH ROW EXECUTE FUNCTION wageclue.link_clue_employer();
