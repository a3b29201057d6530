INSERT INTO trade_flows BY NAME
SELECT
    $source AS source,
    period,
    period_start,
    frequency,
    reporter,
    partner,
    flow,
    hs6,
    value_usd,
    weight_kg,
    $batch_id AS batch_id,
    source_line
FROM stg_trade_flows
ANTI JOIN problem_rows USING (record_no);
