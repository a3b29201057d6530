-- What each spelling of a trader was seen with, per role: its partners, countries, ports
-- and HS chapters, with counts and dates (shipments up to $until, or all when NULL; only
-- the spellings in $exporters and $importers when they are not NULL).
-- An exporter's country is its country of export; an importer's is the store's
-- importing country ($import_country, NULL when not set).
WITH traded AS (
    SELECT
        'exporter' AS role,
        exporter AS alias,
        importer AS partner,
        coalesce(export_country, origin_country) AS country,
        origin_country AS origin,
        port_of_lading AS port,
        left(hs6, 2) AS chapter,
        arrival_date
    FROM shipments
    WHERE exporter IS NOT NULL AND ($until IS NULL OR arrival_date <= $until)
        AND ($exporters IS NULL OR exporter IN (SELECT unnest($exporters::VARCHAR[])))
    UNION ALL
    SELECT
        'importer' AS role,
        importer AS alias,
        exporter AS partner,
        $import_country AS country,
        origin_country AS origin,
        port_of_unlading AS port,
        left(hs6, 2) AS chapter,
        arrival_date
    FROM shipments
    WHERE importer IS NOT NULL AND ($until IS NULL OR arrival_date <= $until)
        AND ($importers IS NULL OR importer IN (SELECT unnest($importers::VARCHAR[])))
),

final AS (
    SELECT
        role,
        alias,
        partner,
        country,
        origin,
        port,
        chapter,
        count(*) AS shipments,
        min(arrival_date) AS first_seen,
        max(arrival_date) AS last_seen
    FROM traded
    GROUP BY ALL
)

SELECT * FROM final
