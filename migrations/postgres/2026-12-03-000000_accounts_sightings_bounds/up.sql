-- A counter bumped when an account is disabled, demoted or given a new password: a session
-- carries the value it was opened under, and one opened under an older value has ended.
ALTER TABLE accounts ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;

-- Login attempts kept for a day: 'failed' (counted by the throttle for its window) and
-- 'throttled' (refused unchecked; an instance writes those of a flood as one row with their
-- number); the dashboard counts both.
ALTER TABLE login_failures ADD COLUMN outcome TEXT NOT NULL DEFAULT 'failed';
ALTER TABLE login_failures ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
CREATE INDEX login_failures_at ON login_failures (at);

-- The client networks (a keyed digest of each, never the address) that reported a sighting,
-- a few dozen at most per sighting: the dashboard says how many distinct ones there were.
CREATE TABLE sighting_networks (
    sighting_id INTEGER NOT NULL REFERENCES mark_sightings (id) ON DELETE CASCADE,
    network TEXT NOT NULL,
    PRIMARY KEY (sighting_id, network)
);

-- The dashboard's order of open sightings, and the oldest unconfirmed ones dropped first.
CREATE INDEX mark_sightings_unconfirmed_last_seen ON mark_sightings (last_seen)
    WHERE confirmed_at IS NULL;
-- New hosts per certificate per day.
CREATE INDEX mark_sightings_certificate_first_seen ON mark_sightings (certificate_id, first_seen);
