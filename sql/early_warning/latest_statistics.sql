-- The last month the statistics an importer's warnings read reach: its own imports or
-- China's exports of a controlled code (a year reaches its December). NULL without any.
WITH controlled AS (
    SELECT DISTINCT hs6
    FROM ref_controlled_codes
),

reach AS (
    SELECT
        CASE
            WHEN flows.frequency = 'annual' THEN flows.period_start + INTERVAL 11 MONTH
            ELSE flows.period_start
        END AS last_month
    FROM trade_flows AS flows
    INNER JOIN controlled ON controlled.hs6 = flows.hs6
    WHERE
        (flows.reporter = $import_country AND flows.flow = 'import')
        OR (flows.reporter = 'CN' AND flows.flow = 'export')
),

final AS (
    SELECT CAST(max(last_month) AS DATE) AS last_month
    FROM reach
)

SELECT * FROM final
