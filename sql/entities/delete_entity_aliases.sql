-- Remove the spellings whose record is rebuilt (a frame registered as entity_gone).
DELETE FROM entity_aliases AS a
USING entity_gone AS g
WHERE a.role = g.role AND a.alias = g.alias
