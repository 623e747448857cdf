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
INSERT INTO timeline_sealing (began_at) VALUES (now() AT TIME ZONE 'UTC');

-- 审计: auditors verify the chains, city-wide.
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_role_check;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_role_check
    CHECK (role IN ('resident', 'grid_worker', 'grid_chief', 'dispatcher', 'handler', 'admin', 'auditor'));
