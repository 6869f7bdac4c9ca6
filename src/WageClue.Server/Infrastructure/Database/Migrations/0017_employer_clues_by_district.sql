-- Part of an employer's name in one district: the province benchmark at 10 million clues found the 2-character term
-- (500 employers, 245 020 clues) at 50.5 ms p95. EXPLAIN ANALYZE: clues_employer_idx read every clue of those
-- employers and kept the caller's district on the INCLUDE column, "Rows Removed by Filter: 222745" of 245 020. With
-- the district as the second key it is an index condition, and the scan reads the 22 275 clues of the district only.
-- An employer's clues across districts (the employer page, the duplicate check) are sorted after reading: a few, or
-- a few hundred for the worst repeat offender.
DROP INDEX wageclue.clues_employer_idx;
CREATE INDEX clues_employer_idx ON wageclue.clues (employer_id, district_id, received_at DESC) INCLUDE (id, channel);
