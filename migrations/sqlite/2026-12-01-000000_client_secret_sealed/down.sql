ALTER TABLE clients DROP COLUMN secret_sealed;
