-- The order in which consoles read the timeline (GET /api/v1/events) and
-- resume it: (stream_tx, stream_seq). A sequence alone would skip late
-- commits (numbers are taken before commit, and transactions commit in any
-- order); a reader takes only rows whose writing transaction is older than
-- every transaction still running (pg_snapshot_xmin), which can no longer
-- be joined by an earlier row. See infra/src/event_stream.rs.
CREATE SEQUENCE incident_events_stream_seq;
-- Volatile defaults: existing rows are numbered in place, new rows by
-- the insert itself, so the writers need not name these columns.
ALTER TABLE incident_events
    ADD COLUMN stream_tx BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    ADD COLUMN stream_seq BIGINT NOT NULL DEFAULT nextval('incident_events_stream_seq');
ALTER SEQUENCE incident_events_stream_seq OWNED BY incident_events.stream_seq;
CREATE UNIQUE INDEX incident_events_stream ON incident_events (stream_tx, stream_seq);
