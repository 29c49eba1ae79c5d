-- Back-office sessions, kept in the database so that every instance shares them (logout and
-- expiry hold everywhere). Only a SHA-256 of the session key is stored: a copy of this table
-- does not let anyone log in. Timestamps UTC.
CREATE TABLE sessions (
    key_hash TEXT PRIMARY KEY NOT NULL,
    state TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- Failed logins, counted per account name and per client address to throttle guessing.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY NOT NULL,
    throttle_key TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (throttle_key, at);

-- The end date a suspension was given (the back office lists suspensions past it).
ALTER TABLE certificates ADD COLUMN suspended_until DATE;
-- A sighting staff looked at and judged harmless (an agency's preview, say).
ALTER TABLE mark_sightings ADD COLUMN dismissed_at TIMESTAMP;
