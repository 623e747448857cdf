-- Evidence of a closure: one judgement per resolve, resolve on the spot and
-- verify, on the photos the case had at that step (domain/src/evidence.rs).
-- A check that fails says why (`no EXIF time`).
CREATE TABLE closure_evidence (
    incident_id             TEXT NOT NULL REFERENCES incidents (id),
    -- The timeline event of the step judged.
    event_seq               INTEGER NOT NULL,
    action                  TEXT NOT NULL,
    taken_after             BOOLEAN NOT NULL,
    taken_after_reason      TEXT,
    taken_near              BOOLEAN NOT NULL,
    taken_near_reason       TEXT,
    before_and_after        BOOLEAN NOT NULL,
    before_and_after_reason TEXT,
    complete                BOOLEAN NOT NULL,
    -- The radius the position was judged on (--evidence-radius-m then).
    radius_m                DOUBLE PRECISION NOT NULL,
    recorded_at             TIMESTAMP NOT NULL,
    PRIMARY KEY (incident_id, event_seq)
);

-- The timeline as a hash chain (domain/src/incident/chain.rs). Events stored
-- before this migration stay unsealed (NULL). photo_sha256: the sha256 of the
-- original of each attachment when sealed, comma-separated, so a photo's
-- record changed later is told apart from an edited event.
ALTER TABLE incident_events ADD COLUMN prev_hash TEXT;
ALTER TABLE incident_events ADD COLUMN hash TEXT;
ALTER TABLE incident_events ADD COLUMN photo_sha256 TEXT;

-- When sealing began: an unsealed event stored since is a seal removed.
CREATE TABLE timeline_sealing (
    began_at TIMESTAMP NOT NULL
);
INSERT INTO timeline_sealing (began_at) VALUES (strftime('%Y-%m-%d %H:%M:%f', 'now'));

-- 审计: auditors verify the chains, city-wide. SQLite changes a CHECK only
-- by copying the table (nothing refers to it).
CREATE TABLE role_assignments_new (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('resident', 'grid_worker', 'grid_chief', 'dispatcher', 'handler', 'admin', 'auditor')),
    area_code  TEXT REFERENCES areas (code),
    party_code TEXT REFERENCES parties (code),
    created_at TIMESTAMP NOT NULL
);
INSERT INTO role_assignments_new (id, user_id, role, area_code, party_code, created_at)
    SELECT id, user_id, role, area_code, party_code, created_at FROM role_assignments;
DROP TABLE role_assignments;
ALTER TABLE role_assignments_new RENAME TO role_assignments;
CREATE INDEX role_assignments_user_id ON role_assignments (user_id);
