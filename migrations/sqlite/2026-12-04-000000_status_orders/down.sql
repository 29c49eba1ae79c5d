DROP INDEX certificates_status_expires;
DROP INDEX certificates_status_issued;
DROP INDEX certificates_status_name;
DROP INDEX certificates_status_grade;
