-- The trade statistics an importer's early warnings read: its own imports and China's
-- exports of every controlled code (all partners, all sources, annual and monthly).
WITH controlled AS (
    SELECT DISTINCT hs6
    FROM ref_controlled_codes
),

final AS (
    SELECT
        flows.source,
        flows.period,
        flows.period_start,
        flows.frequency,
        flows.reporter,
        flows.partner,
        flows.flow,
        flows.hs6,
        flows.value_usd,
        flows.weight_kg
    FROM trade_flows AS flows
    INNER JOIN controlled ON controlled.hs6 = flows.hs6
    WHERE
        (flows.reporter = $import_country AND flows.flow = 'import')
        OR (flows.reporter = 'CN' AND flows.flow = 'export')
)

SELECT * FROM final
