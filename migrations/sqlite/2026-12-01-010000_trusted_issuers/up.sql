CREATE TABLE trusted_issuers (
    id TEXT PRIMARY KEY NOT NULL,
    issuer TEXT NOT NULL UNIQUE,
    metadata TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Federation maps a foreign token to a local user by username or email.
CREATE INDEX users_email ON users (email);
