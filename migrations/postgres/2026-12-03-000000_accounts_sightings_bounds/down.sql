DROP INDEX mark_sightings_certificate_first_seen;
DROP INDEX mark_sightings_unconfirmed_last_seen;
DROP TABLE sighting_networks;
DROP INDEX login_failures_at;
ALTER TABLE login_failures DROP COLUMN attempts;
ALTER TABLE login_failures DROP COLUMN outcome;
ALTER TABLE accounts DROP COLUMN session_epoch;
