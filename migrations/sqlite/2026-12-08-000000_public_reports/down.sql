DROP TABLE reports;
DROP TABLE report_cases;
