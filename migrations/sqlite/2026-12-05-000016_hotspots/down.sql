DROP INDEX incident_links_root;
DROP TABLE incident_links;
DROP TABLE hotspot_rules;
