-- A disabled user cannot sign in; its sessions and refresh tokens end when it is disabled.
ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;
