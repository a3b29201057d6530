-- Staging: rename and cast only. flows_input holds text columns from an adapter;
-- countries are resolved either by name/code alias or by UN M49 number.
CREATE OR REPLACE TEMP TABLE stg_trade_flows AS
WITH source AS (
    SELECT * FROM flows_input
),

trimmed AS (
    SELECT
        record_no,
        source_line,
        text_or_null(period) AS period,
        text_or_null(reporter) AS reporter_text,
        text_or_null(partner) AS partner_text,
        lower(text_or_null(flow)) AS flow_text,
        nullif(regexp_replace(text_or_null(hs6), '[.\s]', '', 'g'), '') AS hs6,
        text_or_null(value_usd) AS value_text,
        text_or_null(weight_kg) AS weight_text
    FROM source
),

final AS (
    SELECT
        trimmed.*,
        CASE
            WHEN regexp_full_match(period, '[0-9]{4}') THEN 'annual'
            WHEN regexp_full_match(period, '[0-9]{4}-(0[1-9]|1[0-2])') THEN 'monthly'
        END AS frequency,
        CASE
            WHEN regexp_full_match(period, '[0-9]{4}') THEN make_date(period::INTEGER, 1, 1)
            WHEN regexp_full_match(period, '[0-9]{4}-(0[1-9]|1[0-2])')
                THEN try_strptime(period || '-01', '%Y-%m-%d')::DATE
        END AS period_start,
        coalesce(reporter_alias.code, reporter_m49.code) AS reporter,
        coalesce(partner_alias.code, partner_m49.code) AS partner,
        CASE
            WHEN flow_text IN ('m', 'import', 'imports') THEN 'import'
            WHEN flow_text IN ('x', 'export', 'exports') THEN 'export'
            WHEN flow_text IN ('rm', 're-import', 're-imports', 'reimport') THEN 're-import'
            WHEN flow_text IN ('rx', 're-export', 're-exports', 'reexport') THEN 're-export'
        END AS flow,
        try_cast(value_text AS DOUBLE) AS value_usd,
        try_cast(weight_text AS DOUBLE) AS weight_kg
    FROM trimmed
    LEFT JOIN ref_country_aliases AS reporter_alias
        ON $country_scheme = 'alias' AND reporter_alias.alias = strip_accents(lower(trimmed.reporter_text))
    LEFT JOIN ref_comtrade_codes AS reporter_m49
        ON $country_scheme = 'm49' AND reporter_m49.m49 = try_cast(trimmed.reporter_text AS INTEGER)
    LEFT JOIN ref_country_aliases AS partner_alias
        ON $country_scheme = 'alias' AND partner_alias.alias = strip_accents(lower(trimmed.partner_text))
    LEFT JOIN ref_comtrade_codes AS partner_m49
        ON $country_scheme = 'm49' AND partner_m49.m49 = try_cast(trimmed.partner_text AS INTEGER)
)

SELECT * FROM final;
