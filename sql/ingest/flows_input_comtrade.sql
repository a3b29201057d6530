-- UN Comtrade bulk records: M49 numbers, flow codes, HS codes that lost their leading
-- zero when stored as numbers. A file without a year column takes the year given.
CREATE OR REPLACE TEMP TABLE flows_input AS
SELECT
    record_no,
    source_line,
    coalesce(text_or_null(year), $year) AS period,
    reporter,
    partner,
    flow,
    lpad(trim(cmd), 6, '0') AS hs6,
    value AS value_usd,
    netwgt AS weight_kg
FROM raw_input;
