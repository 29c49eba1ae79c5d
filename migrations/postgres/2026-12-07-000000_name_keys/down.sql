DROP INDEX certificates_company_brand_key;
DROP INDEX certificates_company_name_key;
DROP INDEX certificates_platform_name_key;
ALTER TABLE certificates DROP COLUMN company_brand_key;
ALTER TABLE certificates DROP COLUMN company_name_key;
ALTER TABLE certificates DROP COLUMN platform_name_key;
