DROP TABLE client_assertions;
DROP TABLE token_denylist;
DROP TABLE login_attempts;
DROP TABLE consents;
DROP TABLE auth_codes;
DROP TABLE auth_requests;
DROP TABLE sessions;
ALTER TABLE users DROP COLUMN claims;
ALTER TABLE users DROP COLUMN email_verified;
