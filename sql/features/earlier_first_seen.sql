-- First arrival of each corridor, exporter and exporter-importer pair (each within its
-- importing country) among shipments before $before, one key set per row (key_set names
-- it; other key columns are null). Traders are their spellings here: a build keys each
-- spelling by the entity it belonged to on the days it scores, so the first sighting of an
-- entity is that of the earliest of its spellings then (transship/features/entities.py).
WITH earlier AS (
    SELECT import_country, origin_country, hs6, exporter, importer, arrival_date
    FROM shipments
    WHERE arrival_date < $before
),

corridors AS (
    SELECT
        'corridor' AS key_set,
        import_country,
        origin_country,
        hs6,
        CAST(NULL AS VARCHAR) AS exporter,
        CAST(NULL AS VARCHAR) AS importer,
        min(arrival_date) AS first_seen
    FROM earlier
    GROUP BY import_country, origin_country, hs6
),

exporters AS (
    SELECT
        'exporter' AS key_set,
        import_country,
        CAST(NULL AS VARCHAR) AS origin_country,
        CAST(NULL AS VARCHAR) AS hs6,
        exporter,
        CAST(NULL AS VARCHAR) AS importer,
        min(arrival_date) AS first_seen
    FROM earlier
    GROUP BY import_country, exporter
),

pairs AS (
    SELECT
        'pair' AS key_set,
        import_country,
        CAST(NULL AS VARCHAR) AS origin_country,
        CAST(NULL AS VARCHAR) AS hs6,
        exporter,
        importer,
        min(arrival_date) AS first_seen
    FROM earlier
    GROUP BY import_country, exporter, importer
),

final AS (
    SELECT * FROM corridors
    UNION ALL
    SELECT * FROM exporters
    UNION ALL
    SELECT * FROM pairs
)

SELECT * FROM final
