DROP TABLE audit_events;
DROP TABLE clients;
DROP TABLE user_roles;
DROP TABLE users;
DROP TABLE signing_keys;
