-- Rotation: the previous secret stays valid until previous_valid_until, so running clients can switch over.
ALTER TABLE robots ADD COLUMN previous_secret_hash VARCHAR(255);
ALTER TABLE robots ADD COLUMN previous_valid_until BIGINT;
