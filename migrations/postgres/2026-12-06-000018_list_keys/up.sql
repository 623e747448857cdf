-- A list reads each relation of the caller (a grid, what they reported) as
-- one ordered range of an index, newest first, and only the sort keys
-- (created_at, id) of its first rows. With the id in the key the range is
-- in the list's exact order (no sort), and with the columns the common
-- filters test (status, category, the map view's box) carried along, the
-- range is read from the index alone: the rows a filter leaves out cost no
-- table read, so the planner walks the range in order for a map view too
-- instead of reading a whole grid and sorting it (the bbox list's 442 ms).
DROP INDEX incidents_grid_code;
CREATE INDEX incidents_grid_code ON incidents (grid_code, created_at, id)
    INCLUDE (status, category_code, lat, lng);
DROP INDEX incidents_reporter_id;
CREATE INDEX incidents_reporter_id ON incidents (reporter_id, created_at, id)
    INCLUDE (status, category_code, lat, lng);
