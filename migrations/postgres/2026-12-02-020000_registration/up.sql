-- Initial access tokens for SIGIL_REGISTRATION=token: only a hash of each is kept.
CREATE TABLE registration_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    uses_left INTEGER,
    expires_at BIGINT,
    created_at BIGINT NOT NULL
);

-- Clients registered through /register, with a hash of their registration access token
-- (RFC 7592); the row goes with its client.
CREATE TABLE client_registrations (
    client_id TEXT PRIMARY KEY NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    access_token_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
