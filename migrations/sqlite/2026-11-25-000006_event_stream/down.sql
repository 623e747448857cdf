DROP TRIGGER incident_events_stream_seq;
DROP INDEX incident_events_stream;
ALTER TABLE incident_events DROP COLUMN stream_seq;
ALTER TABLE incident_events DROP COLUMN stream_tx;
