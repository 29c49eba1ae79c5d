ALTER TABLE mark_sightings DROP COLUMN dismissed_at;
ALTER TABLE certificates DROP COLUMN suspended_until;
DROP TABLE login_failures;
DROP TABLE sessions;
