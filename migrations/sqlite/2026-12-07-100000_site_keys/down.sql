DROP INDEX platform_domains_site_key;
ALTER TABLE platform_domains DROP COLUMN site_key;
