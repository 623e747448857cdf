-- Open311 GeoReport v2: client keys, the requests they sent, the extra
-- questions a category asks, and what the public may read of a category.

-- Whether the public reads a category's descriptions and exact points
-- (care and neighbour disputes: no, see domain open311::privacy).
ALTER TABLE categories ADD COLUMN public_reports BOOLEAN NOT NULL DEFAULT TRUE;
UPDATE categories SET public_reports = FALSE
WHERE code = 'social_aid' OR code LIKE 'social_aid.%'
   OR code = 'neighbourhood' OR code LIKE 'neighbourhood.%';

-- The facts of a step the incident forgets (where it was dispatched, why it
-- was rejected), as the domain's EventDetail in JSON; NULL for none.
ALTER TABLE incident_events ADD COLUMN detail TEXT;

-- Extra questions of a category (Open311 service definition attributes).
CREATE TABLE category_attributes (
    category_code  TEXT NOT NULL REFERENCES categories (code) ON DELETE CASCADE,
    code           TEXT NOT NULL,
    datatype       TEXT NOT NULL CHECK (datatype IN ('string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist')),
    required       BOOLEAN NOT NULL,
    description_zh TEXT NOT NULL,
    description_en TEXT NOT NULL,
    -- JSON array of {"key", "name_zh", "name_en"} for the list types.
    choices        TEXT NOT NULL DEFAULT '[]',
    position       INTEGER NOT NULL,
    PRIMARY KEY (category_code, code)
);

-- One key per client application; only its SHA-256 is kept.
CREATE TABLE open311_keys (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    -- The first characters of the key, to tell keys apart in a list.
    key_prefix TEXT NOT NULL,
    -- The account its requests are reported as (no password, no role).
    user_id    TEXT NOT NULL REFERENCES users (id),
    per_minute INTEGER NOT NULL,
    created_by TEXT,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

-- Every request a client sent: the contact it gave (never public), and the
-- incident it became (NULL while an address waits for a dispatcher).
CREATE TABLE open311_requests (
    -- The spec's token, answered to the client.
    token        TEXT PRIMARY KEY NOT NULL,
    key_id       TEXT NOT NULL REFERENCES open311_keys (id),
    -- SHA-256 of the request as sent, and the retry window it was sent in:
    -- the same request from the same key in the same or next window is a
    -- retry and gets the first answer.
    fingerprint  TEXT NOT NULL,
    retry_window BIGINT NOT NULL,
    incident_id  TEXT UNIQUE REFERENCES incidents (id),
    service_code TEXT NOT NULL REFERENCES categories (code),
    description  TEXT NOT NULL,
    address      TEXT,
    email        TEXT,
    phone        TEXT,
    first_name   TEXT,
    last_name    TEXT,
    device_id    TEXT,
    account_id   TEXT,
    media_url    TEXT,
    -- JSON object: attribute code → value or list of values.
    attributes   TEXT NOT NULL DEFAULT '{}',
    -- JSON of the photo sent with an address-only request, attached when placed.
    media        TEXT,
    created_at   TIMESTAMP NOT NULL,
    -- 'placed' (an incident), 'waiting' (for a dispatcher), 'dismissed'.
    state        TEXT NOT NULL CHECK (state IN ('placed', 'waiting', 'dismissed')),
    decided_by   TEXT,
    decided_at   TIMESTAMP,
    -- Why a dispatcher dismissed it.
    decision_note TEXT,
    UNIQUE (key_id, fingerprint, retry_window)
);
CREATE INDEX open311_requests_waiting ON open311_requests (state, created_at);
