-- The store's default importing country (`transship init --import-country`); a store made
-- before that setting existed has no row.
WITH final AS (
    SELECT value AS import_country
    FROM store_meta
    WHERE key = 'import_country'
)

SELECT * FROM final
