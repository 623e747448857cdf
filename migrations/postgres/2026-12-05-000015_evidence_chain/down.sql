DELETE FROM role_assignments WHERE role = 'auditor';
ALTER TABLE role_assignments DROP CONSTRAINT role_assignments_role_check;
ALTER TABLE role_assignments ADD CONSTRAINT role_assignments_role_check
    CHECK (role IN ('resident', 'grid_worker', 'grid_chief', 'dispatcher', 'handler', 'admin'));
DROP TABLE timeline_sealing;
ALTER TABLE incident_events DROP COLUMN photo_sha256, DROP COLUMN hash, DROP COLUMN prev_hash;
DROP TABLE closure_evidence;
