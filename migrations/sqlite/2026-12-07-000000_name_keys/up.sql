-- A name search lists the certificates whose platform or company is named exactly as asked
-- first, then those whose name starts with it (db::search_best). These keys are the names
-- folded as the search folds them (domain::search_text::normalize), copied onto the
-- certificate and kept in step by db::write; the company's also without its opening place
-- names (北京京东… → 京东…). They are filled at start-up by db::refold.
ALTER TABLE certificates ADD COLUMN platform_name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE certificates ADD COLUMN company_name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE certificates ADD COLUMN company_brand_key TEXT NOT NULL DEFAULT '';
CREATE INDEX certificates_platform_name_key ON certificates (platform_name_key);
CREATE INDEX certificates_company_name_key ON certificates (company_name_key);
CREATE INDEX certificates_company_brand_key ON certificates (company_brand_key);
