-- Each spelling's shipments and first and last day (shipments up to $until, or all when
-- NULL): what tells a nightly run which spellings changed.
WITH named AS (
    SELECT 'exporter' AS role, exporter AS alias, arrival_date
    FROM shipments
    WHERE exporter IS NOT NULL AND ($until IS NULL OR arrival_date <= $until)
    UNION ALL
    SELECT 'importer' AS role, importer AS alias, arrival_date
    FROM shipments
    WHERE importer IS NOT NULL AND ($until IS NULL OR arrival_date <= $until)
),

final AS (
    SELECT
        role,
        alias,
        min(arrival_date) AS first_seen,
        max(arrival_date) AS last_seen,
        count(*) AS shipments
    FROM named
    GROUP BY role, alias
)

SELECT * FROM final
