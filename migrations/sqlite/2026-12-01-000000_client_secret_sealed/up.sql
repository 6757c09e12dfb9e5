ALTER TABLE clients ADD COLUMN secret_sealed TEXT;
