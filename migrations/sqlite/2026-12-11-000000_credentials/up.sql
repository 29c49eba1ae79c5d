-- Signed credentials (issue 17): one row per credential issued, with the facts it states as
-- they were when it was issued (its document is built from them and signed on request, so a
-- credential id always reads the same). A new one at each issue, grade change, renewal and
-- change of bound domains; the one before is then superseded. `id` is also the credential's
-- entry in the status lists (W3C Bitstring Status List): never reused (AUTOINCREMENT).
-- `revoked` and `suspended` are its bits there, kept by the commit path. A certificate recorded
-- without one (before this table, or by the demo generator) gets one when the registry starts
-- (`db::credentials::issue_missing`).
CREATE TABLE credentials (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    certificate_id INTEGER NOT NULL REFERENCES certificates (id),
    -- The history event it reflects and that event's log entry (NULL until the log holds it).
    event_id INTEGER REFERENCES certificate_events (id),
    log_index BIGINT,
    issued_at TIMESTAMP NOT NULL,
    valid_from DATE NOT NULL,
    valid_until DATE NOT NULL,
    grade SMALLINT NOT NULL,
    score DOUBLE NOT NULL,
    scheme_slug TEXT NOT NULL,
    scheme_code TEXT NOT NULL,
    body_name_zh TEXT NOT NULL,
    body_name_en TEXT NOT NULL,
    operator_name TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    platform_name TEXT NOT NULL,
    -- The bound domains, sorted, one per line.
    domains TEXT NOT NULL,
    superseded_by INTEGER REFERENCES credentials (id),
    revoked BOOLEAN NOT NULL DEFAULT FALSE,
    suspended BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX credentials_certificate ON credentials (certificate_id, id);
CREATE INDEX credentials_revoked ON credentials (id) WHERE revoked;
CREATE INDEX credentials_suspended ON credentials (id) WHERE suspended;

