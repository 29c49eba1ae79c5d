-- Pinyin spellings of a certificate's platform name and of its company's name after the place
-- (domain::pinyin): jingdong and jd find 京东. One row per spelling, kept in step by db::write,
-- filled at start-up by db::refold; a query in Latin letters reads the range [q, q || U+10FFFF].
-- Removed with their certificate, unlike the older search_tokens (whose deletes are explicit).
CREATE TABLE pinyin_keys (
    spelling TEXT NOT NULL,
    certificate_id INTEGER NOT NULL REFERENCES certificates (id) ON DELETE CASCADE,
    PRIMARY KEY (spelling, certificate_id)
) WITHOUT ROWID;
CREATE INDEX pinyin_keys_certificate ON pinyin_keys (certificate_id);
