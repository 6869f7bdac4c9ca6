-- Likely duplicates at intake (issue 11): recent clues of the same complainant phone, read from an index.
CREATE INDEX clues_phone_received_idx ON wageclue.clues (complainant_phone, received_at DESC);
