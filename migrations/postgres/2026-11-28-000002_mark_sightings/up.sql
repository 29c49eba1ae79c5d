-- Sightings of a certificate's mark (badge or verification page) requested from a host that is
-- not one of the certificate's bound domains, as told by the Referer or Origin header. Counted
-- in memory and written in batches; the certification body confirms misuse (`confirmed_at`),
-- and confirmed sightings are listed publicly on /misuse. Timestamps are UTC.
CREATE TABLE mark_sightings (
    id SERIAL PRIMARY KEY,
    certificate_id INTEGER NOT NULL REFERENCES certificates (id),
    host TEXT NOT NULL,
    first_seen TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL,
    hits BIGINT NOT NULL,
    confirmed_at TIMESTAMP,
    confirmed_note TEXT,
    UNIQUE (certificate_id, host)
);
CREATE INDEX mark_sightings_confirmed ON mark_sightings (confirmed_at);
CREATE INDEX mark_sightings_host ON mark_sightings (host);
