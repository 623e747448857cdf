-- Patrols: a grid worker walking their grids, the track the phone
-- recorded, the lattice cells it covered, and the incidents found on it.

CREATE TABLE patrols (
    id            TEXT PRIMARY KEY NOT NULL,
    walker_id     TEXT NOT NULL REFERENCES users (id),
    status        TEXT NOT NULL,
    -- GeoJSON LineString coordinates as JSON text, as the walker planned.
    planned_route TEXT,
    started_at    TIMESTAMP NOT NULL,
    ended_at      TIMESTAMP,
    -- Points kept, counted on: it outlives the raw points.
    points        INTEGER NOT NULL DEFAULT 0,
    -- Set when the retention job deleted the raw points.
    track_deleted_at TIMESTAMP,
    created_at    TIMESTAMP NOT NULL
);
-- One running patrol per walker, kept by the database under any race.
CREATE UNIQUE INDEX patrols_one_running ON patrols (walker_id) WHERE status = 'running';
CREATE INDEX patrols_walker ON patrols (walker_id, started_at);
CREATE INDEX patrols_started ON patrols (started_at, id);
CREATE INDEX patrols_retention ON patrols (ended_at) WHERE track_deleted_at IS NULL;

CREATE TABLE patrol_grids (
    patrol_id TEXT NOT NULL REFERENCES patrols (id),
    grid_code TEXT NOT NULL REFERENCES areas (code),
    PRIMARY KEY (patrol_id, grid_code)
);
CREATE INDEX patrol_grids_grid ON patrol_grids (grid_code, patrol_id);

-- Raw positions: personal data, deleted after the retention period.
-- A point is stored once per patrol, however often a phone resends it.
-- No foreign key to patrols: its per-row check was more than half the cost
-- of inserting a batch, and points are only written by the upload, after it
-- read the patrol in the same transaction (patrols are never deleted).
CREATE TABLE track_points (
    patrol_id   TEXT NOT NULL,
    point_id    TEXT NOT NULL,
    at          TIMESTAMP NOT NULL,
    -- WGS-84.
    lat         DOUBLE PRECISION NOT NULL,
    lng         DOUBLE PRECISION NOT NULL,
    accuracy_m  DOUBLE PRECISION NOT NULL,
    source      TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (patrol_id, point_id)
);
CREATE INDEX track_points_time ON track_points (patrol_id, at);

-- Lattice cells (domain::patrol::coverage) a kept point covered: one row
-- per grid, local day, cell and patrol. Aggregates, not positions: they
-- outlive the raw points. No foreign key, as for track_points.
CREATE TABLE covered_cells (
    grid_code TEXT NOT NULL,
    day       DATE NOT NULL,
    cell      BIGINT NOT NULL,
    patrol_id TEXT NOT NULL,
    PRIMARY KEY (grid_code, day, cell, patrol_id)
);
CREATE INDEX covered_cells_patrol ON covered_cells (patrol_id, grid_code);

-- Incidents reported on a patrol by its walker.
CREATE TABLE patrol_findings (
    incident_id TEXT PRIMARY KEY NOT NULL REFERENCES incidents (id),
    patrol_id   TEXT NOT NULL REFERENCES patrols (id)
);
CREATE INDEX patrol_findings_patrol ON patrol_findings (patrol_id);
