-- One analyst's correction in the log, with the pairs of spellings it says something
-- about (a frame registered as correction_pairs: role, alias_l, alias_r, kind).
INSERT INTO entity_corrections
    (correction_id, action, role, named, entities, note, analyst, corrected_at)
VALUES
    ($correction_id, $action, $role, $named, $entities, $note, $analyst, now()::TIMESTAMP);

INSERT INTO entity_constraints (correction_id, role, alias_l, alias_r, kind)
SELECT $correction_id, role, alias_l, alias_r, kind FROM correction_pairs;
