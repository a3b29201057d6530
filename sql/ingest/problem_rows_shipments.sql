-- The problems of the records the batch left out (ingest/checked_shipments), as a list
-- per row. Listed after the insert, when staging reads only those records: a list for
-- every row of a large file would cost a fifth of the whole check's time.
CREATE OR REPLACE TEMP TABLE problem_rows AS
WITH checked AS (
    SELECT * FROM checked_shipments
    WHERE has_problem
),

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
    FROM checked
),

final AS (
    SELECT record_no, source_line, problems FROM problems
)

SELECT * FROM final;
