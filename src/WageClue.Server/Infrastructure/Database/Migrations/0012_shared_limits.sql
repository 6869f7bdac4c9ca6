-- Issue 13 (findings 1 and 3) and issue 12 (limits held cluster-wide).
--
-- The account lockout is gone: 5 wrong passwords from anywhere locked the account, so a stranger could keep any
-- account (admin included) locked, and a real name answered differently from an unknown one. Failures are now
-- counted per (username as typed, client address), for names that exist and names that do not alike, and the
-- pair waits longer after each failure past the threshold (LoginThrottle.cs).
ALTER TABLE wageclue.users DROP COLUMN failed_logins;
ALTER TABLE wageclue.users DROP COLUMN locked_until;

CREATE TABLE wageclue.login_failures (
    username        text NOT NULL,
    address         text NOT NULL,
    failures        int NOT NULL,
    last_failed_at  timestamptz NOT NULL,
    blocked_until   timestamptz,
    PRIMARY KEY (username, address)
);
CREATE INDEX login_failures_last_idx ON wageclue.login_failures (last_failed_at);

-- Fixed one-minute windows of the per-address limits (login attempts, progress lookups), in the database so that
-- every node counts against the same limit (an in-process limiter gave each node its own).
CREATE TABLE wageclue.rate_limit_windows (
    bucket        text NOT NULL,
    key           text NOT NULL,
    window_start  timestamptz NOT NULL,
    hits          int NOT NULL,
    PRIMARY KEY (bucket, key, window_start)
);
CREATE INDEX rate_limit_windows_start_idx ON wageclue.rate_limit_windows (window_start);

-- Finding 7: after an administrator resets a password, the user must choose their own before anything else.
ALTER TABLE wageclue.users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

-- Idle browser sessions end (GB/T 22239 level 3): the last time the user did something, kept to the minute.
ALTER TABLE wageclue.sessions ADD COLUMN last_seen_at timestamptz;
UPDATE wageclue.sessions SET last_seen_at = created_at;
ALTER TABLE wageclue.sessions ALTER COLUMN last_seen_at SET NOT NULL;
