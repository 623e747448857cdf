-- Lists as consoles and phones read them, newest first: a handler's party,
-- "assigned to me", "recently changed". The party index led with status,
-- which no list sorts by.
DROP INDEX incidents_party_code;
CREATE INDEX incidents_party_code ON incidents (party_code, created_at);
CREATE INDEX incidents_assignee_id ON incidents (assignee_id, created_at);
CREATE INDEX incidents_updated_at ON incidents (updated_at, id);
