DROP TABLE secrets;
DROP TABLE personal_data_access;
DROP TABLE audit_events;
DROP TABLE login_throttle;
DROP TABLE refresh_tokens;
