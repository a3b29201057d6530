-- First arrival of each corridor, exporter and exporter-importer pair among shipments
-- before $before, one key set per row (key_set names it; other key columns are null).
WITH earlier AS (
    SELECT origin_country, hs6, exporter, importer, arrival_date
    FROM shipments
    WHERE arrival_date < $before
),

corridors AS (
    SELECT
        'corridor' AS key_set,
        origin_country,
        hs6,
        CAST(NULL AS VARCHAR) AS exporter,
        CAST(NULL AS VARCHAR) AS importer,
        min(arrival_date) AS first_seen
    FROM earlier
    GROUP BY origin_country, hs6
),

exporters AS (
    SELECT
        'exporter' AS key_set,
        CAST(NULL AS VARCHAR) AS origin_country,
        CAST(NULL AS VARCHAR) AS hs6,
        exporter,
        CAST(NULL AS VARCHAR) AS importer,
        min(arrival_date) AS first_seen
    FROM earlier
    GROUP BY exporter
),

pairs AS (
    SELECT
        'pair' AS key_set,
        CAST(NULL AS VARCHAR) AS origin_country,
        CAST(NULL AS VARCHAR) AS hs6,
        exporter,
        importer,
        min(arrival_date) AS first_seen
    FROM earlier
    GROUP BY exporter, importer
),

final AS (
    SELECT * FROM corridors
    UNION ALL
    SELECT * FROM exporters
    UNION ALL
    SELECT * FROM pairs
)

SELECT * FROM final
