-- A host without a certificate is checked against the certified sites it resembles
-- (domain::lookalike): each bound domain keeps the key of its site, the TR39 skeleton of its
-- registrable label (guozhen for www.guozhen.com.cn and gu0zhen.com), kept in step by db::write
-- and filled at start-up by db::refold. Byte order (COLLATE "C"): the keys are read in that
-- order to build each instance's index of them (db::lookalikes).
ALTER TABLE platform_domains ADD COLUMN site_key TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX platform_domains_site_key ON platform_domains (site_key);
