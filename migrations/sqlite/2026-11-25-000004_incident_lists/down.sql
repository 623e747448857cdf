DROP INDEX incidents_updated_at;
DROP INDEX incidents_assignee_id;
DROP INDEX incidents_party_code;
CREATE INDEX incidents_party_code ON incidents (party_code, status);
CREATE INDEX incidents_location ON incidents (lat, lng);
