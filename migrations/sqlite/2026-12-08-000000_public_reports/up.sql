-- Reports from the public about a fake or misused mark (issue 15). Reports about the same site
-- and kind within 7 days fold into one case, which staff triage: received, under review,
-- confirmed, not confirmed (with a reason for the reporter), or merged into another case.
-- A reporter follows a report by a private link whose token is stored only as its SHA-256.
-- The contact is shown only to staff and erased once the case has been closed long enough.
-- Timestamps are UTC.
CREATE TABLE report_cases (
    id INTEGER PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    -- The registrable domain reports fold by (NULL: a report about no site).
    site TEXT,
    certificate_id INTEGER REFERENCES certificates (id),
    status TEXT NOT NULL,
    -- Given to the reporter with the outcome.
    reason TEXT,
    opened_at TIMESTAMP NOT NULL,
    last_report_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    report_count INTEGER NOT NULL,
    assigned_to TEXT,
    merged_into INTEGER REFERENCES report_cases (id)
);
CREATE INDEX report_cases_fold ON report_cases (kind, site, opened_at);
CREATE INDEX report_cases_queue ON report_cases (status, opened_at);
CREATE INDEX report_cases_certificate ON report_cases (certificate_id);
CREATE INDEX report_cases_decided ON report_cases (decided_at);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY NOT NULL,
    case_id INTEGER NOT NULL REFERENCES report_cases (id),
    received_at TIMESTAMP NOT NULL,
    -- The host as the search normalises it.
    site TEXT,
    number TEXT,
    what TEXT NOT NULL,
    -- Links, one per line.
    evidence TEXT NOT NULL,
    contact TEXT,
    contact_erased_at TIMESTAMP,
    -- A keyed digest of the client network (never the address).
    network TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE
);
CREATE INDEX reports_case ON reports (case_id);
CREATE INDEX reports_received ON reports (received_at);
