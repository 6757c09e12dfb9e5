DROP TABLE session_clients;
DROP TABLE resources;
DROP TABLE refresh_tokens;
DROP TABLE refresh_families;
ALTER TABLE auth_codes DROP COLUMN issued_family;
ALTER TABLE users DROP COLUMN token_generation;
