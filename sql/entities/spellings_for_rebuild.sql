-- Every spelling, with its id and the day it was first seen.
WITH final AS (
    SELECT role, alias, alias_id, first_seen FROM entity_aliases ORDER BY role, alias_id
)

SELECT * FROM final
