DROP TABLE patrol_findings;
DROP TABLE covered_cells;
DROP TABLE track_points;
DROP TABLE patrol_grids;
DROP TABLE patrols;
