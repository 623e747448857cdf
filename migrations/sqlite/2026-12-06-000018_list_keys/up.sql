-- A list reads each relation of the caller (a grid, what they reported) as
-- one ordered range of an index, newest first, and only the sort keys
-- (created_at, id) of its first rows. With the id in the key the range is
-- in the list's exact order, and with the columns the common filters test
-- (status, category, the map view's box) after it, the index covers the
-- read: the rows a filter leaves out cost no table read. (SQLite has no
-- INCLUDE: the carried columns are trailing key columns.)
DROP INDEX incidents_grid_code;
CREATE INDEX incidents_grid_code
    ON incidents (grid_code, created_at, id, status, category_code, lat, lng);
DROP INDEX incidents_reporter_id;
CREATE INDEX incidents_reporter_id
    ON incidents (reporter_id, created_at, id, status, category_code, lat, lng);
