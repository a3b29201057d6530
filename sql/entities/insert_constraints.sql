-- What a correction says about pairs of spellings (a frame registered as
-- correction_pairs: role, alias_l, alias_r, kind).
INSERT INTO entity_constraints (correction_id, role, alias_l, alias_r, kind)
SELECT $correction_id, role, alias_l, alias_r, kind FROM correction_pairs
