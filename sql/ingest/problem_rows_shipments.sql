-- Every rule of the shipment contract, as a list of problems per row. Only the rows with
-- a problem are kept (they are quarantined with all of their problems in words); the
-- rest are loaded straight from the staging view, so no wide copy of the file is made.
CREATE OR REPLACE TEMP TABLE problem_rows AS
WITH staged AS (
    SELECT * FROM stg_shipments
),

-- Ids that occur more than once in the file, and where each first occurs. An aggregate
-- rather than a window over every row: repeats are rare, and the hash is far cheaper
-- than sorting a million ids. Read from the input, not from staged: a CTE used twice is
-- materialized, which for staged is a typed copy of the whole file.
repeated AS (
    SELECT
        text_or_null(shipment_id) AS shipment_id,
        min(record_no) AS first_record,
        min(source_line) AS first_line
    FROM shipments_input
    WHERE text_or_null(shipment_id) IS NOT NULL
    GROUP BY text_or_null(shipment_id)
    HAVING count(*) > 1
),

with_repeats AS (
    SELECT
        staged.*,
        repeated.first_line,
        coalesce(staged.record_no = repeated.first_record, true) AS first_occurrence
    FROM staged
    LEFT JOIN repeated USING (shipment_id)
),

against_store AS (
    SELECT
        staged.*,
        stored.batch_id AS stored_batch_id,
        stored.shipment_id IS NOT NULL AS in_store
    FROM with_repeats AS staged
    LEFT JOIN shipments AS stored ON stored.shipment_id = staged.shipment_id
),

-- One column per rule: its problem in words, or null when the row keeps the rule.
rule_checks AS (
    SELECT
        record_no,
        source_line,
        CASE WHEN shipment_id IS NULL THEN {
            'reason': 'missing_value', 'column_name': 'shipment_id', 'bad_value': NULL,
            'message': 'shipment_id is empty; every row needs an id'}
        END AS shipment_id_problem,
        CASE WHEN arrival_date_text IS NULL THEN {
            'reason': 'missing_value', 'column_name': 'arrival_date', 'bad_value': NULL,
            'message': 'arrival_date is empty; expected a date YYYY-MM-DD'}
        WHEN arrival_date IS NULL THEN {
            'reason': 'bad_date', 'column_name': 'arrival_date', 'bad_value': arrival_date_text,
            'message': 'arrival_date ''' || arrival_date_text || ''' is not a date YYYY-MM-DD'}
        END AS arrival_date_problem,
        CASE WHEN origin_country_text IS NULL THEN {
            'reason': 'missing_value', 'column_name': 'origin_country', 'bad_value': NULL,
            'message': 'origin_country is empty; expected an ISO 3166 code or English name'}
        WHEN origin_country IS NULL THEN {
            'reason': 'unknown_country', 'column_name': 'origin_country',
            'bad_value': origin_country_text,
            'message': 'origin_country ''' || origin_country_text
                || ''' is not a known ISO 3166 alpha-2, alpha-3 code or country name'}
        END AS origin_country_problem,
        CASE WHEN export_country_text IS NOT NULL AND export_country IS NULL THEN {
            'reason': 'unknown_country', 'column_name': 'export_country',
            'bad_value': export_country_text,
            'message': 'export_country ''' || export_country_text
                || ''' is not a known ISO 3166 alpha-2, alpha-3 code or country name'}
        END AS export_country_problem,
        CASE WHEN import_country IS NULL THEN {
            'reason': 'unknown_country', 'column_name': 'import_country',
            'bad_value': import_country_text,
            'message': 'import_country ''' || import_country_text
                || ''' is not a known ISO 3166 alpha-2, alpha-3 code or country name'}
        END AS import_country_problem,
        CASE WHEN hs_code_text IS NULL THEN {
            'reason': 'missing_value', 'column_name': 'hs_code', 'bad_value': NULL,
            'message': 'hs_code is empty; expected 6 to 10 digits'}
        WHEN NOT regexp_full_match(hs_code, '[0-9]{6,10}') THEN {
            'reason': 'bad_hs_code', 'column_name': 'hs_code', 'bad_value': hs_code_text,
            'message': 'hs_code ''' || hs_code_text
                || ''' is not 6 to 10 digits (dots and spaces are allowed)'}
        END AS hs_code_problem,
        CASE WHEN weight_kg_text IS NULL THEN {
            'reason': 'missing_value', 'column_name': 'weight_kg', 'bad_value': NULL,
            'message': 'weight_kg is empty; expected a number of kilograms greater than 0'}
        WHEN weight_kg IS NULL OR isnan(weight_kg) OR isinf(weight_kg) THEN {
            'reason': 'bad_number', 'column_name': 'weight_kg', 'bad_value': weight_kg_text,
            'message': 'weight_kg ''' || weight_kg_text || ''' is not a number'}
        WHEN weight_kg <= 0 THEN {
            'reason': 'non_positive_weight', 'column_name': 'weight_kg',
            'bad_value': weight_kg_text,
            'message': 'weight_kg ' || weight_kg_text || ' must be greater than 0'}
        END AS weight_problem,
        CASE WHEN value_text IS NULL THEN {
            'reason': 'missing_value', 'column_name': 'value_usd', 'bad_value': NULL,
            'message': 'value_usd is empty; expected a number of US dollars, 0 or more'}
        WHEN value_usd IS NULL OR isnan(value_usd) OR isinf(value_usd) THEN {
            'reason': 'bad_number', 'column_name': 'value_usd', 'bad_value': value_text,
            'message': 'value_usd ''' || value_text || ''' is not a number'}
        WHEN value_usd < 0 THEN {
            'reason': 'negative_value', 'column_name': 'value_usd', 'bad_value': value_text,
            'message': 'value_usd ' || value_text || ' must not be negative'}
        END AS value_problem,
        CASE WHEN quantity_text IS NOT NULL AND quantity IS NULL THEN {
            'reason': 'bad_number', 'column_name': 'quantity', 'bad_value': quantity_text,
            'message': 'quantity ''' || quantity_text || ''' is not a number'}
        END AS quantity_problem,
        CASE WHEN shipment_id IS NOT NULL AND NOT first_occurrence THEN {
            'reason': 'duplicate_id', 'column_name': 'shipment_id', 'bad_value': shipment_id,
            'message': 'shipment_id ''' || shipment_id || ''' appears again; first on line '
                || first_line || ' of this file, which was loaded instead'}
        END AS repeated_id_problem,
        CASE WHEN in_store AND first_occurrence THEN {
            'reason': 'duplicate_id', 'column_name': 'shipment_id', 'bad_value': shipment_id,
            'message': 'shipment_id ''' || shipment_id || ''' is already in the store from batch '
                || stored_batch_id || '; stored rows are never overwritten'}
        END AS stored_id_problem
    FROM against_store
),

-- Lists only for the rows breaking a rule: a list for every row of a large file is a
-- fifth of the whole check's time.
problems AS (
    SELECT
        record_no,
        source_line,
        list_filter(
            [
                shipment_id_problem, arrival_date_problem, origin_country_problem,
                export_country_problem, import_country_problem, hs_code_problem,
                weight_problem, value_problem, quantity_problem, repeated_id_problem,
                stored_id_problem
            ],
            lambda problem: problem IS NOT NULL
        ) AS problems
    FROM rule_checks
    WHERE coalesce(
        shipment_id_problem, arrival_date_problem, origin_country_problem,
        export_country_problem, import_country_problem, hs_code_problem, weight_problem,
        value_problem, quantity_problem, repeated_id_problem, stored_id_problem
    ) IS NOT NULL
),

final AS (
    SELECT record_no, source_line, problems FROM problems
)

SELECT * FROM final;
