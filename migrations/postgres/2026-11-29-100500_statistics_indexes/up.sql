-- The statistics page's aggregates read indexes only (no table rows):
-- certificates in force grouped by scheme version or score, with the company and platform ids
-- for the province and type joins; public events of a kind grouped by day.
CREATE INDEX certificates_in_force ON certificates (status, expires_on, scheme_version_id, score, company_id, platform_id);
CREATE INDEX certificate_events_kind ON certificate_events (kind, occurred_on, certificate_id);
