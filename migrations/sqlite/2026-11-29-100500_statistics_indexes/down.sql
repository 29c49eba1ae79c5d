DROP INDEX certificate_events_kind;
DROP INDEX certificates_in_force;
