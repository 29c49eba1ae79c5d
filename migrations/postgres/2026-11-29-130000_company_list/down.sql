DROP INDEX companies_province;
CREATE INDEX companies_province ON companies (province_code);
