DROP TRIGGER notifications_stream_seq;
DROP INDEX notifications_stream;
ALTER TABLE notifications DROP COLUMN stream_seq;
ALTER TABLE notifications DROP COLUMN stream_tx;
