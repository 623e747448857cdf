DROP TABLE open311_requests;
DROP TABLE open311_keys;
DROP TABLE category_attributes;
ALTER TABLE incident_events DROP COLUMN detail;
ALTER TABLE categories DROP COLUMN public_reports;
