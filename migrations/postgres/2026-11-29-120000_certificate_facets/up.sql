-- What a certificate and its public events are counted by on the statistics page: the company's
-- province and the platform's type, copied like sort_name and search_text and kept in step by
-- db::write (inserts, and reindex_certificates after a company or platform changed). Without
-- them every figure by province or type joins a million certificates to their companies and
-- platforms (5 s at 1,000,000 on SQLite).
ALTER TABLE certificates ADD COLUMN province_code TEXT NOT NULL DEFAULT '';
ALTER TABLE certificates ADD COLUMN platform_type TEXT NOT NULL DEFAULT '';
UPDATE certificates SET
  province_code = (SELECT c.province_code FROM companies c WHERE c.id = certificates.company_id),
  platform_type = (SELECT p.platform_type FROM platforms p WHERE p.id = certificates.platform_id);
ALTER TABLE certificate_events ADD COLUMN province_code TEXT NOT NULL DEFAULT '';
UPDATE certificate_events SET
  province_code = (SELECT c.province_code FROM certificates c WHERE c.id = certificate_events.certificate_id);

-- Each aggregate of the statistics page reads one index only, in the index's own order so that
-- GROUP BY streams without a sort; with a province filter it reads that province's entries only.
DROP INDEX certificates_in_force;
-- by status and grade: the whole registry, one province
CREATE INDEX certificates_stats_grade ON certificates (status, grade, expires_on);
CREATE INDEX certificates_stats_province ON certificates (province_code, status, grade, expires_on);
-- in force by province and platform type
CREATE INDEX certificates_stats_holder ON certificates (status, province_code, platform_type, expires_on);
-- in force by scheme version and score: the whole registry, one province
CREATE INDEX certificates_stats_score ON certificates (status, scheme_version_id, score, expires_on);
CREATE INDEX certificates_stats_province_score ON certificates (status, province_code, scheme_version_id, score, expires_on);
-- events of a kind by day in one province (the whole registry reads certificate_events_kind)
CREATE INDEX certificate_events_province ON certificate_events (province_code, kind, occurred_on);
