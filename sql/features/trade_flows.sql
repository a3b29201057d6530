-- Every stored trade-statistics row.
SELECT
    source,
    period,
    period_start,
    frequency,
    reporter,
    partner,
    flow,
    hs6,
    value_usd,
    weight_kg
FROM trade_flows;
