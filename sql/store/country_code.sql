-- The alpha-2 code of a country given as an alpha-2, alpha-3 or numeric code or an English
-- name, as the ingest contract reads one (no row when it is none of those).
WITH final AS (
    SELECT code
    FROM ref_country_aliases
    WHERE alias = strip_accents(lower(trim($country)))
)

SELECT * FROM final
