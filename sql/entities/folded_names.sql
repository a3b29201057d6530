-- Every resolved spelling's folded name, with the country it was folded for.
WITH final AS (
    SELECT role, alias, country, core_name, legal_form, address, name_status
    FROM entity_aliases
)

SELECT * FROM final
