-- The order in which the catch-up feed (GET /api/v1/me/feed) reads a user's
-- inbox and resumes it: (stream_tx, stream_seq), as incident_events has
-- since 2026-11-25-000006_event_stream. SQLite has one writer at a time, so
-- numbering inside the write transaction follows commit order; stream_tx
-- stays 0 (PostgreSQL needs it). See infra/src/event_stream.rs.
ALTER TABLE notifications ADD COLUMN stream_tx BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN stream_seq BIGINT NOT NULL DEFAULT 0;
UPDATE notifications SET stream_seq = rowid;
CREATE INDEX notifications_stream ON notifications (user_id, stream_seq);
-- Numbered by the insert itself, so the writers need not name the column.
-- The inbox is read one user at a time: the number is the user's own,
-- found in the index above (a notice to 50,000 people takes 50,000 short
-- range reads, not 50,000 reads of the whole table's maximum).
CREATE TRIGGER notifications_stream_seq AFTER INSERT ON notifications
BEGIN
    UPDATE notifications
    SET stream_seq = (
        SELECT MAX(stream_seq) FROM notifications WHERE user_id = NEW.user_id
    ) + 1
    WHERE rowid = NEW.rowid;
END;
