-- The downloads page shows when the registry last changed: max(updated_at) from an index,
-- not a scan of every certificate (0.5 s at 1,000,000).
CREATE INDEX certificates_updated_at ON certificates (updated_at);
