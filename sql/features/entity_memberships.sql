-- Each trader spelling's entity over time (none in a store never resolved), as far as a
-- build up to $until can see: from valid_from (inclusive) to valid_to (exclusive; NULL:
-- still).
WITH final AS (
    SELECT role, alias, entity_id, valid_from, valid_to
    FROM entity_memberships
    WHERE valid_from <= $until
)

SELECT * FROM final
ORDER BY role, alias, valid_from
