-- Incidents (事件/案卷), their timeline, photos, and request idempotency.

CREATE TABLE incidents (
    id              TEXT PRIMARY KEY NOT NULL,
    -- Human reference: district code, day, sequence (410102-20261124-000123).
    reference       TEXT NOT NULL UNIQUE,
    category_code   TEXT NOT NULL REFERENCES categories (code),
    description     TEXT NOT NULL,
    -- WGS-84.
    lat             DOUBLE PRECISION NOT NULL,
    lng             DOUBLE PRECISION NOT NULL,
    address         TEXT,
    -- Codes nest, so "in this area or below" is grid_code LIKE '<area>%'.
    grid_code       TEXT NOT NULL REFERENCES areas (code),
    source          TEXT NOT NULL,
    reporter_id     TEXT NOT NULL REFERENCES users (id),
    priority        TEXT NOT NULL,
    status          TEXT NOT NULL,
    party_code      TEXT REFERENCES parties (code),
    assignee_id     TEXT REFERENCES users (id),
    -- Parties that returned it, comma-separated: re-routing skips them.
    returned_by     TEXT NOT NULL DEFAULT '',
    duplicate_of    TEXT REFERENCES incidents (id),
    rating          TEXT,
    rating_comment  TEXT,
    rework_count    INTEGER NOT NULL DEFAULT 0,
    result          TEXT,
    version         BIGINT NOT NULL,
    occurred_at     TIMESTAMP NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    acknowledge_due TIMESTAMP,
    resolve_due     TIMESTAMP
);
CREATE INDEX incidents_grid_code ON incidents (grid_code, created_at);
CREATE INDEX incidents_status ON incidents (status, created_at);
CREATE INDEX incidents_created_at ON incidents (created_at, id);
CREATE INDEX incidents_reporter_id ON incidents (reporter_id, created_at);
CREATE INDEX incidents_party_code ON incidents (party_code, status);
CREATE INDEX incidents_category_code ON incidents (category_code, created_at);
CREATE INDEX incidents_location ON incidents (lat, lng);

-- Every change, in order; never updated or deleted.
CREATE TABLE incident_events (
    id          TEXT PRIMARY KEY NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    seq         INTEGER NOT NULL,
    action      TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    note        TEXT,
    attachments TEXT NOT NULL DEFAULT '',
    UNIQUE (incident_id, seq)
);

CREATE TABLE incident_photos (
    incident_id     TEXT NOT NULL REFERENCES incidents (id),
    -- Content address (SHA-256 of the stored, metadata-free bytes).
    photo_key       TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('before', 'after')),
    media_type      TEXT NOT NULL,
    size_bytes      BIGINT NOT NULL,
    uploaded_by     TEXT NOT NULL,
    uploaded_at     TIMESTAMP NOT NULL,
    -- Evidence read from the original's EXIF before it was stripped.
    taken_at        TIMESTAMP,
    taken_lat       DOUBLE PRECISION,
    taken_lng       DOUBLE PRECISION,
    original_sha256 TEXT NOT NULL,
    PRIMARY KEY (incident_id, photo_key)
);

-- Reporters of duplicates follow the first report of the problem.
CREATE TABLE incident_followers (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    since       TIMESTAMP NOT NULL,
    PRIMARY KEY (incident_id, user_id)
);
CREATE INDEX incident_followers_user_id ON incident_followers (user_id);

-- Per (district, day) sequence behind the human reference numbers.
CREATE TABLE incident_counters (
    scope TEXT PRIMARY KEY NOT NULL,
    last  BIGINT NOT NULL
);

-- Idempotency-Key: the first response to (user, key), replayed on retries.
CREATE TABLE idempotency_keys (
    user_id         TEXT NOT NULL,
    idem_key        TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    -- NULL while the first request is still running.
    response_status INTEGER,
    response_body   TEXT,
    created_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);

-- Open incidents of a category this close to a new report are offered as duplicates.
ALTER TABLE categories ADD COLUMN duplicate_radius_m INTEGER NOT NULL DEFAULT 250;
