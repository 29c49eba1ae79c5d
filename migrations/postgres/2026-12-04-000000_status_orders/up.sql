-- A search lists its matches by walking the index of its order (db::search_order): of one
-- status for revoked, cancelled or suspended certificates (revoked certificates are old ones,
-- at the end of the newest-first order), or of the whole registry. Each index ends with the id,
-- in the order's own directions, so the walk reads the index alone, in exactly the listed order.
CREATE INDEX certificates_status_grade ON certificates (status, grade DESC, score DESC, id);
CREATE INDEX certificates_status_name ON certificates (status, sort_name, id);
CREATE INDEX certificates_status_issued ON certificates (status, issued_on DESC, id);
CREATE INDEX certificates_status_expires ON certificates (status, expires_on, id);
DROP INDEX certificates_grade;
CREATE INDEX certificates_grade ON certificates (grade DESC, score DESC, id);
DROP INDEX certificates_sort_name;
CREATE INDEX certificates_sort_name ON certificates (sort_name, id);
DROP INDEX certificates_issued;
CREATE INDEX certificates_issued ON certificates (issued_on DESC, id);
DROP INDEX certificates_expiry;
CREATE INDEX certificates_expiry ON certificates (expires_on, id);
