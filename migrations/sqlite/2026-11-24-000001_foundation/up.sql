-- The area tree, categories, responsible parties and accounts.
-- Timestamps are UTC without zone (diesel Timestamp) on both backends.

CREATE TABLE areas (
    code        TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    level       TEXT NOT NULL CHECK (level IN ('city', 'district', 'subdistrict', 'community', 'grid', 'micro_grid')),
    parent_code TEXT REFERENCES areas (code),
    -- GeoJSON geometry (Polygon or MultiPolygon), WGS-84
    boundary    TEXT,
    synthetic   BOOLEAN NOT NULL DEFAULT 0,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX areas_parent_code ON areas (parent_code, code);
CREATE INDEX areas_level ON areas (level, code);

-- Bumped by every change of the areas, so that every server (and a CLI import
-- next to a running server) knows to rebuild its grid index.
CREATE TABLE area_revisions (
    id         INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    revision   BIGINT NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
INSERT INTO area_revisions (id, revision, changed_at) VALUES (1, 0, CURRENT_TIMESTAMP);

CREATE TABLE categories (
    code               TEXT PRIMARY KEY NOT NULL,
    parent_code        TEXT REFERENCES categories (code),
    label_zh           TEXT NOT NULL,
    label_en           TEXT NOT NULL,
    default_priority   TEXT NOT NULL CHECK (default_priority IN ('low', 'normal', 'high', 'urgent')),
    acknowledge_amount INTEGER NOT NULL CHECK (acknowledge_amount > 0),
    acknowledge_unit   TEXT NOT NULL CHECK (acknowledge_unit IN ('working_hours', 'working_days', 'calendar_hours')),
    resolve_amount     INTEGER NOT NULL CHECK (resolve_amount > 0),
    resolve_unit       TEXT NOT NULL CHECK (resolve_unit IN ('working_hours', 'working_days', 'calendar_hours')),
    position           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX categories_parent_code ON categories (parent_code);

CREATE TABLE parties (
    code          TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    name_en       TEXT NOT NULL DEFAULT '',
    kind          TEXT NOT NULL,
    contact_phone TEXT,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX parties_kind ON parties (kind, code);

CREATE TABLE party_areas (
    party_code TEXT NOT NULL REFERENCES parties (code) ON DELETE CASCADE,
    area_code  TEXT NOT NULL REFERENCES areas (code),
    PRIMARY KEY (party_code, area_code)
);
CREATE INDEX party_areas_area_code ON party_areas (area_code);

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    phone         TEXT UNIQUE,
    locale        TEXT NOT NULL DEFAULT 'zh-CN',
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT 0,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE role_assignments (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('resident', 'grid_worker', 'grid_chief', 'dispatcher', 'handler', 'admin')),
    area_code  TEXT REFERENCES areas (code),
    party_code TEXT REFERENCES parties (code),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX role_assignments_user_id ON role_assignments (user_id);
