-- Sessions, sign-in throttling, audit and personal-data access logs, secrets.

-- Refresh tokens are stored only as SHA-256 hashes. A family is one sign-in;
-- each refresh replaces its token with the next of the family.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    family_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    issued_at  TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX refresh_tokens_family_id ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_id ON refresh_tokens (user_id);

-- Failed sign-ins per key: `account:<username>` or `address:<ip>`.
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY NOT NULL,
    failures     INTEGER NOT NULL,
    window_start TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);

-- Sign-ins, failed attempts, role changes: who, when, from where.
CREATE TABLE audit_events (
    id           TEXT PRIMARY KEY NOT NULL,
    occurred_at  TIMESTAMP NOT NULL,
    action       TEXT NOT NULL,
    actor_id     TEXT,
    subject      TEXT,
    client_addr  TEXT,
    detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_occurred_at ON audit_events (occurred_at);
CREATE INDEX audit_events_subject ON audit_events (subject, occurred_at);

-- Every unmasked read of personal data (PIPL): who read whose what, and why.
CREATE TABLE personal_data_access (
    id          TEXT PRIMARY KEY NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    reader_id   TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    field       TEXT NOT NULL,
    purpose     TEXT NOT NULL
);
CREATE INDEX personal_data_access_subject ON personal_data_access (subject_id, occurred_at);

-- Generated secrets shared by every node on this database (the JWT key of
-- the embedded default). Never returned by the API, never logged.
CREATE TABLE secrets (
    name       TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
