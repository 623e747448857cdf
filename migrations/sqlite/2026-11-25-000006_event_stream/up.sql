-- The order in which consoles read the timeline (GET /api/v1/events) and
-- resume it: (stream_tx, stream_seq). SQLite has one writer at a time, so
-- numbering inside the write transaction follows commit order; stream_tx
-- stays 0 (PostgreSQL needs it). See infra/src/event_stream.rs.
ALTER TABLE incident_events ADD COLUMN stream_tx BIGINT NOT NULL DEFAULT 0;
ALTER TABLE incident_events ADD COLUMN stream_seq BIGINT NOT NULL DEFAULT 0;
UPDATE incident_events SET stream_seq = rowid;
CREATE INDEX incident_events_stream ON incident_events (stream_seq);
-- Numbered by the insert itself, so the writers need not name the column.
-- MAX + 1 rather than rowid: VACUUM may renumber rowids.
CREATE TRIGGER incident_events_stream_seq AFTER INSERT ON incident_events
BEGIN
    UPDATE incident_events
    SET stream_seq = (SELECT MAX(stream_seq) FROM incident_events) + 1
    WHERE rowid = NEW.rowid;
END;
