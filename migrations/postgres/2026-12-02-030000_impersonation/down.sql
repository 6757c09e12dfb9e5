DROP TABLE impersonations;
ALTER TABLE sessions DROP COLUMN actor_id;
