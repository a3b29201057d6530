-- Every rule of the shipment contract applied to the staged records, one column per
-- rule: its problem in words, or null when the row keeps it. The batch's insert loads the
-- records without a problem (ingest/insert_shipments); the problem pass then lists the
-- problems of the records left out (ingest/problem_rows_shipments).
--
-- An id already in the store is a problem of its first occurrence in the file. Once the
-- batch is inserted the store also holds its own rows, but only of ids whose first
-- occurrence was loaded: every record left out with such an id is a later occurrence, a
-- repeated id whatever the store holds, so the problems come out as before the insert.
CREATE OR REPLACE TEMP VIEW checked_shipments AS
WITH staged AS (
    SELECT * FROM stg_shipments
),

-- Ids that occur more than once in the file, and where each first occurs
-- (ingest/repeated_ids).
repeated AS (
    SELECT shipment_id, first_record, first_line FROM repeated_ids
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

-- One column per rule (sql/macros/column_rules.sql): its problem in words, or null when
-- the row keeps the rule.
rule_checks AS (
    SELECT
        *,
        required_rule('shipment_id', shipment_id, 'every row needs an id') AS shipment_id_problem,
        date_rule(
            'arrival_date', arrival_date_text, arrival_date, required := true
        ) AS arrival_date_problem,
        country_rule(
            'origin_country', origin_country_text, origin_country,
            'ISO 3166 alpha-2, alpha-3 code or country name',
            required := true, when_empty := 'expected an ISO 3166 code or English name'
        ) AS origin_country_problem,
        country_rule(
            'export_country', export_country_text, export_country,
            'ISO 3166 alpha-2, alpha-3 code or country name'
        ) AS export_country_problem,
        -- Never empty: a blank takes the mapping's or the store's default (staging).
        country_rule(
            'import_country', import_country_text, import_country,
            'ISO 3166 alpha-2, alpha-3 code or country name',
            required := true, when_empty := 'expected an ISO 3166 code or English name'
        ) AS import_country_problem,
        hs_code_rule(
            'hs_code', hs_code_text, hs_code, '[0-9]{6,10}', '6 to 10',
            note := ' (dots and spaces are allowed)', required := true
        ) AS hs_code_problem,
        positive_number_rule(
            'weight_kg', weight_kg_text, weight_kg, 'non_positive_weight',
            required := true, when_empty := 'expected a number of kilograms greater than 0'
        ) AS weight_problem,
        non_negative_number_rule(
            'value_usd', value_text, value_usd, 'negative_value',
            required := true, when_empty := 'expected a number of US dollars, 0 or more'
        ) AS value_problem,
        number_rule('quantity', quantity_text, quantity) AS quantity_problem,
        CASE WHEN shipment_id IS NOT NULL AND NOT first_occurrence THEN problem(
            'duplicate_id', 'shipment_id', shipment_id,
            'shipment_id ''' || shipment_id || ''' appears again; first on line '
                || first_line || ' of this file, which was loaded instead'
        ) END AS repeated_id_problem,
        CASE WHEN in_store AND first_occurrence THEN problem(
            'duplicate_id', 'shipment_id', shipment_id,
            'shipment_id ''' || shipment_id || ''' is already in the store from batch '
                || stored_batch_id || '; stored rows are never overwritten'
        ) END AS stored_id_problem
    FROM against_store
),

final AS (
    SELECT
        *,
        coalesce(
            shipment_id_problem, arrival_date_problem, origin_country_problem,
            export_country_problem, import_country_problem, hs_code_problem, weight_problem,
            value_problem, quantity_problem, repeated_id_problem, stored_id_problem
        ) IS NOT NULL AS has_problem
    FROM rule_checks
)

SELECT * FROM final;
