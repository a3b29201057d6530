-- Countries whose own import statistics of a controlled code are in the store, with their
-- names, for the Warnings page's menu.
WITH controlled AS (
    SELECT DISTINCT hs6
    FROM ref_controlled_codes
),

reporters AS (
    SELECT DISTINCT flows.reporter AS code
    FROM trade_flows AS flows
    INNER JOIN controlled ON controlled.hs6 = flows.hs6
    WHERE flows.flow = 'import'
),

final AS (
    SELECT
        reporters.code,
        coalesce(countries.name, reporters.code) AS name
    FROM reporters
    LEFT JOIN ref_countries AS countries ON countries.code = reporters.code
    ORDER BY name
)

SELECT * FROM final
