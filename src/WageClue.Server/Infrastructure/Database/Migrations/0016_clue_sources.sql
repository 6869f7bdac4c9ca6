-- Clues forwarded by another system (the 12345 hotline system, the national clue platform) keep that system's
-- reference, so a batch sent again creates nothing twice and the results can be sent back by reference.
-- source_hash is the SHA-256 of the row as imported: the same reference with other content is refused, not merged.
ALTER TABLE wageclue.clues
    ADD COLUMN source_system    text,
    ADD COLUMN source_reference text,
    ADD COLUMN source_hash      bytea,
    ADD CONSTRAINT clues_source_complete CHECK ((source_system IS NULL) = (source_reference IS NULL) AND (source_reference IS NULL) = (source_hash IS NULL));

CREATE UNIQUE INDEX clues_source_reference_idx ON wageclue.clues (source_system, source_reference) WHERE source_reference IS NOT NULL;
