-- A search by name (issue 11) hits every clue of the employers a term names (25 000 clues for 500 employers at a
-- million) and keeps the caller's district's: checking each hit's instance row took 200-300 ms. The clue row carries
-- a copy of its instance's district, and the two indexes a name search reads carry it (with the id and the
-- channel), so the check is made on index entries alone (13 ms for the same hits).
--
-- workflow_instances.district_id stays the only one anyone writes: the copy is set from it when a clue is inserted
-- and follows it when a transfer (转办) moves the clue, both by the triggers below, whatever writes the rows.
ALTER TABLE wageclue.clues ADD COLUMN district_id text;
UPDATE wageclue.clues c SET district_id = i.district_id FROM wageclue.workflow_instances i WHERE i.id = c.id;
ALTER TABLE wageclue.clues ALTER COLUMN district_id SET NOT NULL;

CREATE FUNCTION wageclue.copy_clue_district() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT i.district_id INTO STRICT NEW.district_id FROM wageclue.workflow_instances i WHERE i.id = NEW.id;
    RETURN NEW;
END $$;
CREATE TRIGGER clues_copy_district BEFORE INSERT ON wageclue.clues FOR EACH ROW EXECUTE FUNCTION wageclue.copy_clue_district();

CREATE FUNCTION wageclue.follow_instance_district() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE wageclue.clues SET district_id = NEW.district_id WHERE id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER workflow_instances_follow_district AFTER UPDATE OF district_id ON wageclue.workflow_instances
    FOR EACH ROW WHEN (NEW.subject = 'clue' AND OLD.district_id IS DISTINCT FROM NEW.district_id)
    EXECUTE FUNCTION wageclue.follow_instance_district();

-- Each employer's clues and a complainant's, newest first, with what a search filters on, read without the table.
DROP INDEX wageclue.clues_employer_idx;
CREATE INDEX clues_employer_idx ON wageclue.clues (employer_id, received_at DESC) INCLUDE (id, district_id, channel);
DROP INDEX wageclue.clues_complainant_name_idx;
CREATE INDEX clues_complainant_name_idx ON wageclue.clues (complainant_name, received_at DESC) INCLUDE (id, district_id, channel);
