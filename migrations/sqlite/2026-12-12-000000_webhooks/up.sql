-- Webhooks (issue 17, §4): endpoints the platforms' web teams give the body, for one
-- certificate or every certificate of a company, and the queue of deliveries to them. A
-- delivery is inserted in the transaction of the public event it tells of (the commit path),
-- so no event is lost and none is told that did not happen; a background worker of each
-- instance sends it (a write transaction on SQLite: one writer at a time) and retries with
-- backoff. `secret` is the endpoint's `whsec_` key: it signs (v1 HMAC), so it is kept as given.
CREATE TABLE webhook_endpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    certificate_id INTEGER REFERENCES certificates (id),
    company_id INTEGER REFERENCES companies (id),
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    -- Why it was disabled (a 410, three days of failures, staff), for the back office.
    disabled_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL,
    last_success_at TIMESTAMP,
    CHECK ((certificate_id IS NULL) <> (company_id IS NULL))
);
CREATE INDEX webhook_endpoints_certificate ON webhook_endpoints (certificate_id) WHERE certificate_id IS NOT NULL;
CREATE INDEX webhook_endpoints_company ON webhook_endpoints (company_id) WHERE company_id IS NOT NULL;

-- One message to one endpoint, with the facts its payload states (built from them at each
-- attempt with the same bytes) and what its attempts came to. `state`: pending, delivered,
-- failed (gave up) or cancelled (its endpoint was disabled first).
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints (id),
    message_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    event_id INTEGER,
    log_index BIGINT,
    certificate_number TEXT,
    credit_code TEXT NOT NULL,
    status TEXT,
    stars SMALLINT,
    created_at TIMESTAMP NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP,
    last_attempt_at TIMESTAMP,
    last_status INTEGER,
    last_error TEXT,
    -- The start of the receiver's last answer, at most 1 KB.
    last_response TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
