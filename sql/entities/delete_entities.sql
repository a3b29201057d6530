-- Remove the entities a rebuild no longer gives, or gives otherwise (a frame registered
-- as entity_gone).
DELETE FROM entities
WHERE entity_id IN (SELECT entity_id FROM entity_gone)
