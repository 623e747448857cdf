DROP INDEX incident_events_stream;
-- Drops the sequence too (OWNED BY).
ALTER TABLE incident_events DROP COLUMN stream_seq, DROP COLUMN stream_tx;
