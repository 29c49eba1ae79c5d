-- Empties the transparency log of a bench database, so that bench/log.sh measures the backfill
-- again (sqlite3 bench-out/bench-1000000.db < bench/log-reset.sql, or psql -f). Never on a real
-- registry: its log is permanent.
DELETE FROM log_head;
DELETE FROM log_hashes;
DELETE FROM log_entries;
