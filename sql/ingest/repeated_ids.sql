-- Ids that occur more than once in the file, and where each first occurs, over every
-- record of the file before any is loaded. A table of its own rather than a step of
-- ingest/checked_shipments: the batch's insert then holds no hash of every id while it
-- writes, and the problem pass after it does not count the ids again. An aggregate
-- rather than a window over every row: repeats are rare, and the hash is far cheaper
-- than sorting a million ids. Read from the input, not from the staging view, which
-- would type every column.
CREATE OR REPLACE TEMP TABLE repeated_ids AS
WITH final AS (
    SELECT
        text_or_null(shipment_id) AS shipment_id,
        min(record_no) AS first_record,
        min(source_line) AS first_line
    FROM shipments_input
    WHERE text_or_null(shipment_id) IS NOT NULL
    GROUP BY text_or_null(shipment_id)
    HAVING count(*) > 1
)

SELECT * FROM final;
