-- The best-match bands (db::search_best) read the certificates whose platform or company is
-- named as asked, or whose name starts with it, through an index range [q, q + U+10FFFF].
-- Their keys moved off the certificate row into this narrow table (like pinyin_keys): both
-- bands are one range instead of three, and a refold writes these rows instead of rewriting
-- every certificate row wider (docs/PERFORMANCE.md, "Every kind at depth"). One row per
-- distinct key of a certificate (domain::best_match::NameKeys), kept in step by db::write,
-- filled at start-up by db::refold (folding 6).
CREATE TABLE name_keys (
    name_key TEXT NOT NULL,
    certificate_id INTEGER NOT NULL REFERENCES certificates (id) ON DELETE CASCADE,
    PRIMARY KEY (name_key, certificate_id)
) WITHOUT ROWID;
CREATE INDEX name_keys_certificate ON name_keys (certificate_id);
DROP INDEX certificates_company_brand_key;
DROP INDEX certificates_company_name_key;
DROP INDEX certificates_platform_name_key;
ALTER TABLE certificates DROP COLUMN company_brand_key;
ALTER TABLE certificates DROP COLUMN company_name_key;
ALTER TABLE certificates DROP COLUMN platform_name_key;
