-- The API's company list of one province, by credit code, reads this index in order (no sort of
-- the province's companies).
DROP INDEX companies_province;
CREATE INDEX companies_province ON companies (province_code, credit_code);
