-- Issue 13: complainants' phone and ID numbers sealed at rest (Features/Privacy/PersonalData.cs says how).
-- This script adds the new columns; 0015 (code: Features/Privacy/SealComplainants.cs) seals the rows already
-- there and drops the plaintext columns.

-- The key of the phone hashes, sealed by Data Protection (whose key ring the certificate outside the database
-- encrypts). One row per purpose; only 'index' today.
CREATE TABLE wageclue.personal_data_keys (
    purpose     text PRIMARY KEY,
    sealed_key  bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE wageclue.clues
    ADD COLUMN complainant_phone_sealed     bytea,
    ADD COLUMN complainant_phone_hash       bytea,   -- HMAC of the whole number's digits
    ADD COLUMN complainant_phone_tail_hash  bytea,   -- HMAC of its last four digits (search by 尾号)
    ADD COLUMN complainant_id_number_sealed bytea;
