-- A search for revoked, cancelled or suspended certificates lists them in any order by walking
-- these (db::search_order): the rows of one status in the order asked for (each entry ends with
-- the rowid, the certificate's id). Without them such a walk passes most of the registry first
-- (revoked certificates are old ones, at the end of the newest-first order).
CREATE INDEX certificates_status_grade ON certificates (status, grade, score);
CREATE INDEX certificates_status_name ON certificates (status, sort_name);
CREATE INDEX certificates_status_issued ON certificates (status, issued_on);
CREATE INDEX certificates_status_expires ON certificates (status, expires_on);
-- The planner weighs an index by its statistics: a registry analysed before (the demo loader
-- does) would otherwise hold none for these and misjudge them (walking one status's
-- issue-date index to list it by expiry date).
ANALYZE certificates;
