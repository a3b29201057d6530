-- One analyst's correction in the log.
INSERT INTO entity_corrections
    (correction_id, action, role, named, entities, note, analyst, corrected_at)
VALUES
    ($correction_id, $action, $role, $named, $entities, $note, $analyst, now()::TIMESTAMP)
