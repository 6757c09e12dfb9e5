-- A session an admin holds as a user: it names the admin as its actor.
ALTER TABLE sessions ADD COLUMN actor_id TEXT;

-- Browser impersonations: who acted as whom, why, from which of their own sessions, until when.
CREATE TABLE impersonations (
    id TEXT PRIMARY KEY NOT NULL,
    session_hash TEXT NOT NULL UNIQUE,
    sid TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_session TEXT NOT NULL,
    user_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ended_at BIGINT,
    ended_by TEXT
);
CREATE INDEX impersonations_started ON impersonations (started_at);
