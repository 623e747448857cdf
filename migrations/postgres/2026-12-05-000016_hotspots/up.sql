-- Recurring hotspots (重复上报): when reports of a category make a hotspot
-- (categories without a row use the server's --hotspot-* defaults).
CREATE TABLE hotspot_rules (
    category_code TEXT PRIMARY KEY REFERENCES categories (code),
    radius_m INTEGER NOT NULL,
    min_reports INTEGER NOT NULL,
    within_days INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL
);

-- A repeat linked to its root-cause case: one root per incident, one level
-- deep (the domain keeps roots unlinked).
CREATE TABLE incident_links (
    incident_id TEXT PRIMARY KEY REFERENCES incidents (id),
    root_id TEXT NOT NULL REFERENCES incidents (id),
    linked_by TEXT NOT NULL,
    linked_at TIMESTAMP NOT NULL
);
-- A root's links, and its linked_count on every read of it.
CREATE INDEX incident_links_root ON incident_links (root_id, incident_id);
