-- The public transparency log of certificate events (issue 16): RFC 6962 entries in order,
-- the hash of every complete subtree (stored when its last leaf is appended, so appending and
-- proving read O(log n) rows, and tiles are read straight from here), and the signed head.
-- Entries are permanent: no personal data, never updated, never deleted.
CREATE TABLE log_entries (
    idx BIGINT PRIMARY KEY NOT NULL,
    certificate_id INTEGER NOT NULL REFERENCES certificates (id),
    -- The history event it records (NULL for a public change without one).
    event_id INTEGER REFERENCES certificate_events (id),
    kind TEXT NOT NULL,
    -- RFC 8785 canonical JSON, exactly the bytes hashed.
    body BLOB NOT NULL
);
CREATE INDEX log_entries_certificate ON log_entries (certificate_id, idx);
CREATE INDEX log_entries_event ON log_entries (event_id);

-- (level, idx): the subtree of 2^level leaves starting at leaf idx * 2^level.
CREATE TABLE log_hashes (
    level SMALLINT NOT NULL,
    idx BIGINT NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

-- The one head: the origin chosen when the log began, the size and root, and the checkpoint
-- signed in the same transaction. Writers lock this row, so one sequencer signs.
CREATE TABLE log_head (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    origin TEXT NOT NULL,
    size BIGINT NOT NULL,
    root BLOB NOT NULL,
    checkpoint TEXT NOT NULL,
    signed_at TIMESTAMP NOT NULL
);
