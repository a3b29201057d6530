-- Staging: rename and cast only. Every canonical column arrives as text in
-- shipments_input; here it is trimmed and typed, keeping the text beside the typed
-- value so that validation can quote what the file actually said.
CREATE OR REPLACE TEMP VIEW stg_shipments AS
WITH source AS (
    SELECT * FROM shipments_input
),

trimmed AS (
    SELECT
        record_no,
        source_line,
        nullif(trim(shipment_id), '') AS shipment_id,
        nullif(trim(arrival_date), '') AS arrival_date_text,
        nullif(trim(importer), '') AS importer,
        nullif(trim(exporter), '') AS exporter,
        nullif(trim(origin_country), '') AS origin_country_text,
        nullif(trim(export_country), '') AS export_country_text,
        nullif(trim(port_of_lading), '') AS port_of_lading,
        nullif(trim(port_of_unlading), '') AS port_of_unlading,
        nullif(trim(hs_code), '') AS hs_code_text,
        nullif(trim(description), '') AS description,
        nullif(trim(quantity), '') AS quantity_text,
        nullif(trim(quantity_unit), '') AS quantity_unit,
        nullif(trim(weight_kg), '') AS weight_kg_text,
        nullif(trim(value_usd), '') AS value_text,
        nullif(lower(trim(transport_mode)), '') AS transport_mode
    FROM source
),

final AS (
    SELECT
        trimmed.*,
        try_strptime(arrival_date_text, '%Y-%m-%d')::DATE AS arrival_date,
        origin.code AS origin_country,
        export.code AS export_country,
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
)

SELECT * FROM final;
