DROP INDEX incidents_reporter_id;
CREATE INDEX incidents_reporter_id ON incidents (reporter_id, created_at);
DROP INDEX incidents_grid_code;
CREATE INDEX incidents_grid_code ON incidents (grid_code, created_at);
