ALTER TABLE categories DROP COLUMN duplicate_radius_m;
DROP TABLE idempotency_keys;
DROP TABLE incident_counters;
DROP TABLE incident_followers;
DROP TABLE incident_photos;
DROP TABLE incident_events;
DROP TABLE incidents;
