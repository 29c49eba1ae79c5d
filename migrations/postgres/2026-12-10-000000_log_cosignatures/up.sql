-- Witnesses' cosignatures of the log's checkpoints (issue 16, C2SP tlog-cosignature): the
-- line each witness returned for a checkpoint (size and root), as received and verified. They
-- are appended to /log/checkpoint and to proofs while that checkpoint is the current one, and
-- /log/ tells which witness cosigned which size.
CREATE TABLE log_cosignatures (
    -- The witness's verifier key (C2SP vkey, type 0x04).
    witness TEXT NOT NULL,
    size BIGINT NOT NULL,
    root BYTEA NOT NULL,
    -- The signature line, without its newline.
    line TEXT NOT NULL,
    -- The time inside the cosignature (the witness's clock).
    cosigned_at TIMESTAMP NOT NULL,
    PRIMARY KEY (witness, size)
);
CREATE INDEX log_cosignatures_size ON log_cosignatures (size);
