DROP TABLE incident_assists;
DROP TABLE clock_requests;
DROP TABLE deadlines;
DROP TABLE calendar_days;
DROP TABLE working_week;
DROP TABLE time_limits;
ALTER TABLE categories DROP COLUMN verify_on_site;
DROP TABLE routing_decisions;
DROP TABLE routing_rules;
