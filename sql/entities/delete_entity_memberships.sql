-- Remove the memberships a rebuild no longer gives (a frame registered as entity_gone).
DELETE FROM entity_memberships AS m
USING entity_gone AS g
WHERE m.role = g.role AND m.alias = g.alias AND m.valid_from = g.valid_from
