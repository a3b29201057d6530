-- Staging: rename and cast only. Every canonical column arrives as text in
-- shipments_input; here it is trimmed and typed, keeping the text beside the typed
-- value so that validation can quote what the file actually said. Only the records not
-- in loaded_lines: every record while the batch is inserted, then the records left out,
-- which the problem pass lists (ingest/problem_rows_shipments), so the file is typed
-- once, not once to check it and again to load it.
CREATE OR REPLACE TEMP VIEW stg_shipments AS
WITH source AS (
    SELECT * FROM shipments_input
    ANTI JOIN loaded_lines USING (source_line)
),

trimmed AS (
    SELECT
        record_no,
        source_line,
        text_or_null(shipment_id) AS shipment_id,
        text_or_null(arrival_date) AS arrival_date_text,
        text_or_null(importer) AS importer,
        text_or_null(exporter) AS exporter,
        text_or_null(origin_country) AS origin_country_text,
        text_or_null(export_country) AS export_country_text,
        text_or_null(import_country) AS import_country_given,
        text_or_null(port_of_lading) AS port_of_lading,
        text_or_null(port_of_unlading) AS port_of_unlading,
        text_or_null(hs_code) AS hs_code_text,
        text_or_null(description) AS description,
        text_or_null(quantity) AS quantity_text,
        text_or_null(quantity_unit) AS quantity_unit,
        text_or_null(weight_kg) AS weight_kg_text,
        text_or_null(value_usd) AS value_text,
        lower(text_or_null(transport_mode)) AS transport_mode
    FROM source
),

final AS (
    SELECT
        trimmed.*,
        try_strptime(arrival_date_text, '%Y-%m-%d')::DATE AS arrival_date,
        origin.code AS origin_country,
        export.code AS export_country,
        -- A file without the column, or a row without a value, is in the mapping's or
        -- the store's default importing country.
        coalesce(trimmed.import_country_given, ingest_params.default_import_country)
            AS import_country_text,
        importer.code AS import_country,
        regexp_replace(hs_code_text, '[.\s]', '', 'g') AS hs_code,
        try_cast(quantity_text AS DOUBLE) AS quantity,
        try_cast(weight_kg_text AS DOUBLE) AS weight_kg,
        try_cast(value_text AS DOUBLE) * ingest_params.usd_per_unit AS value_usd
    FROM trimmed
    CROSS JOIN ingest_params
    LEFT JOIN ref_country_aliases AS origin
        ON origin.alias = strip_accents(lower(trimmed.origin_country_text))
    LEFT JOIN ref_country_aliases AS export
        ON export.alias = strip_accents(lower(trimmed.export_country_text))
    LEFT JOIN ref_country_aliases AS importer
        ON importer.alias = strip_accents(lower(
            coalesce(trimmed.import_country_given, ingest_params.default_import_country)
        ))
)

SELECT * FROM final;
