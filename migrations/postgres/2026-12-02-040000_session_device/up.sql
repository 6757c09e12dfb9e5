-- The browser a session was started in (its User-Agent, cut to 512 characters), shown on the
-- account page as the device.
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
