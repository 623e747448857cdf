-- Lists as consoles and phones read them, newest first: a handler's party,
-- "assigned to me", "recently changed". The party index led with status,
-- which no list sorts by. The (lat, lng) index goes: a map view is read grid
-- by grid, and a range on latitude alone lured planners into scanning a
-- whole band of the city and sorting it.
DROP INDEX incidents_location;
DROP INDEX incidents_party_code;
CREATE INDEX incidents_party_code ON incidents (party_code, created_at);
CREATE INDEX incidents_assignee_id ON incidents (assignee_id, created_at);
CREATE INDEX incidents_updated_at ON incidents (updated_at, id);
