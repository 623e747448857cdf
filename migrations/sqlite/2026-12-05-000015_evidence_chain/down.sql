DELETE FROM role_assignments WHERE role = 'auditor';
CREATE TABLE role_assignments_old (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('resident', 'grid_worker', 'grid_chief', 'dispatcher', 'handler', 'admin')),
    area_code  TEXT REFERENCES areas (code),
    party_code TEXT REFERENCES parties (code),
    created_at TIMESTAMP NOT NULL
);
INSERT INTO role_assignments_old (id, user_id, role, area_code, party_code, created_at)
    SELECT id, user_id, role, area_code, party_code, created_at FROM role_assignments;
DROP TABLE role_assignments;
ALTER TABLE role_assignments_old RENAME TO role_assignments;
CREATE INDEX role_assignments_user_id ON role_assignments (user_id);
DROP TABLE timeline_sealing;
ALTER TABLE incident_events DROP COLUMN photo_sha256;
ALTER TABLE incident_events DROP COLUMN hash;
ALTER TABLE incident_events DROP COLUMN prev_hash;
DROP TABLE closure_evidence;
