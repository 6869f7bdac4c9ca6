-- Issue 13: the audit an auditor reads (GB/T 22239 level 3 separates the auditor from the administrator).

ALTER TABLE wageclue.users DROP CONSTRAINT users_role_check;
ALTER TABLE wageclue.users ADD CONSTRAINT users_role_check
    CHECK (role IN ('caseworker', 'supervisor', 'leader', 'admin', 'integration', 'auditor'));

-- Every change to a user account: who did it, to whom, what (without any password or hash).
CREATE TABLE wageclue.user_audit_log (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL,
    actor_id  bigint REFERENCES wageclue.users (id),   -- null: the create-admin command on the server
    user_id   bigint NOT NULL REFERENCES wageclue.users (id),
    action    text NOT NULL CHECK (action IN ('created', 'changed', 'disabled', 'enabled', 'password-reset', 'password-changed')),
    details   text NOT NULL DEFAULT ''
);
CREATE INDEX user_audit_log_at_idx ON wageclue.user_audit_log (at);
CREATE INDEX pii_access_log_at_idx ON wageclue.pii_access_log (at);

-- Append-only: rows are never changed, and removed only once older than the 6 months they must be kept. (The
-- service connects as the owner of its schema, which could drop these triggers: a deployment that wants the log
-- safe from the service's own credentials runs the service as a role that does not own the tables; README.)
CREATE FUNCTION wageclue.audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < now() - interval '6 months' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only: rows are kept at least 6 months and never changed', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER pii_access_log_append_only BEFORE UPDATE OR DELETE ON wageclue.pii_access_log
    FOR EACH ROW EXECUTE FUNCTION wageclue.audit_append_only();
CREATE TRIGGER pii_access_log_no_truncate BEFORE TRUNCATE ON wageclue.pii_access_log
    FOR EACH STATEMENT EXECUTE FUNCTION wageclue.audit_append_only();
CREATE TRIGGER user_audit_log_append_only BEFORE UPDATE OR DELETE ON wageclue.user_audit_log
    FOR EACH ROW EXECUTE FUNCTION wageclue.audit_append_only();
CREATE TRIGGER user_audit_log_no_truncate BEFORE TRUNCATE ON wageclue.user_audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION wageclue.audit_append_only();
