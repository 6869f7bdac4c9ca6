-- Login hardening for the web pages (issue 4): lockout after repeated failures, and server-side sessions so that
-- logging out ends a session even if a copy of its cookie survives somewhere.

ALTER TABLE wageclue.users ADD COLUMN failed_logins int NOT NULL DEFAULT 0;
ALTER TABLE wageclue.users ADD COLUMN locked_until timestamptz;

CREATE TABLE wageclue.sessions (
    id          uuid PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES wageclue.users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    ended_at    timestamptz
);
CREATE INDEX sessions_user_idx ON wageclue.sessions (user_id);

-- The dashboards' compliance rates read clocks by the time they fell due, met or not.
CREATE INDEX clue_clocks_due_idx ON wageclue.clue_clocks (due_at);
