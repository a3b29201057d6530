-- China's monthly exports by partner. Rows with quantity 0 carry unit value inf:
-- the value is real but the weight was not reported, so weight is left unknown.
CREATE OR REPLACE TEMP TABLE flows_input AS
SELECT
    record_no,
    source_line,
    coalesce(strftime(try_strptime(trim(period_dt), '%Y-%m-%d'), '%Y-%m'), period_dt) AS period,
    'CN' AS reporter,
    partner_name AS partner,
    'export' AS flow,
    hs6,
    val AS value_usd,
    CASE WHEN try_cast(qty AS DOUBLE) = 0 THEN NULL ELSE qty END AS weight_kg
FROM raw_input;
