-- Search (issue 11): every kind of term has an index, so a search at a million clues reads only what it finds.
-- Part of an employer's name: pg_trgm on the employers (a clue is found through the employer it is linked to).
-- Trigrams of Chinese text need a UTF-8 character type (lc_ctype C.UTF-8 or zh_CN.UTF-8; deploy/lib.sh makes its
-- clusters so); under lc_ctype C the index still answers correctly, only more slowly (the service logs a warning).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
-- fastupdate off: new employers are few, and a search should not read a long pending list (the benchmark saw 7 ms).
CREATE INDEX employers_name_trgm_idx ON wageclue.employers USING gin (name gin_trgm_ops) WITH (fastupdate = off);
-- The complainant's phone, whole or its last digits: the digits reversed, so a suffix is a prefix.
CREATE INDEX clues_phone_suffix_idx ON wageclue.clues (reverse(replace(complainant_phone, '-', '')) text_pattern_ops);
-- The complainant's full name, newest first.
CREATE INDEX clues_complainant_name_idx ON wageclue.clues (complainant_name, received_at DESC);
CREATE INDEX clues_credit_code_idx ON wageclue.clues (employer_credit_code) WHERE employer_credit_code IS NOT NULL;
-- A search by name starts from the clues it hits and keeps those of the caller's district: their ids, read from
-- this index alone, without the instances' rows.
CREATE INDEX workflow_instances_district_id_idx ON wageclue.workflow_instances (district_id, id);
