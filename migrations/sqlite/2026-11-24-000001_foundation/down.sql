DROP TABLE role_assignments;
DROP TABLE users;
DROP TABLE party_areas;
DROP TABLE parties;
DROP TABLE categories;
DROP TABLE area_revisions;
DROP TABLE areas;
