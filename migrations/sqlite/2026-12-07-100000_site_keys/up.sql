-- A host without a certificate is checked against the certified sites it resembles
-- (domain::lookalike): each bound domain keeps the key of its site, the TR39 skeleton of its
-- registrable label (guozhen for www.guozhen.com.cn and gu0zhen.com), kept in step by db::write
-- and filled at start-up by db::refold.
ALTER TABLE platform_domains ADD COLUMN site_key TEXT NOT NULL DEFAULT '';
CREATE INDEX platform_domains_site_key ON platform_domains (site_key);
