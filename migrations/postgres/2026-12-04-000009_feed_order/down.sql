DROP INDEX notifications_stream;
-- Drops the sequence too (OWNED BY).
ALTER TABLE notifications DROP COLUMN stream_seq, DROP COLUMN stream_tx;
