DROP INDEX certificates_updated_at;
