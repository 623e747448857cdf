-- The order in which the catch-up feed (GET /api/v1/me/feed) reads a user's
-- inbox and resumes it: (stream_tx, stream_seq), as incident_events has
-- since 2026-11-25-000006_event_stream. A reader takes only rows whose
-- writing transaction is older than every transaction still running
-- (pg_snapshot_xmin). See infra/src/event_stream.rs.
ALTER TABLE notifications
    ADD COLUMN stream_tx BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN stream_seq BIGINT NOT NULL DEFAULT 0;
-- Entries already there: numbered in the order they were written, all
-- before the new ones (stream_tx 0).
UPDATE notifications AS n
SET stream_seq = numbered.position
FROM (
    SELECT id, row_number() OVER (ORDER BY created_at, id) AS position
    FROM notifications
) AS numbered
WHERE numbered.id = n.id;
CREATE SEQUENCE notifications_stream_seq OWNED BY notifications.stream_seq;
SELECT setval('notifications_stream_seq', COALESCE(MAX(stream_seq), 0) + 1, false)
FROM notifications;
-- Volatile defaults: new rows are numbered by the insert itself, so the
-- writers need not name these columns.
ALTER TABLE notifications
    ALTER COLUMN stream_tx SET DEFAULT (pg_current_xact_id()::text::bigint),
    ALTER COLUMN stream_seq SET DEFAULT nextval('notifications_stream_seq');
CREATE INDEX notifications_stream ON notifications (user_id, stream_tx, stream_seq);
