-- The id of the next correction in the log.
SELECT nextval('entity_correction_ids') AS correction_id
