-- Back to the keys on the certificate row (empty until a refold of folding 5 fills them).
ALTER TABLE certificates ADD COLUMN platform_name_key TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE certificates ADD COLUMN company_name_key TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE certificates ADD COLUMN company_brand_key TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX certificates_platform_name_key ON certificates (platform_name_key);
CREATE INDEX certificates_company_name_key ON certificates (company_name_key);
CREATE INDEX certificates_company_brand_key ON certificates (company_brand_key);
DROP TABLE name_keys;
DELETE FROM registry_meta WHERE key = 'search_folding';
