-- The attributes of the rows this batch loaded (a quarantined row keeps its attributes in
-- its raw record).
INSERT INTO shipment_attributes BY NAME
WITH loaded AS (
    SELECT record_no, text_or_null(shipment_id) AS shipment_id
    FROM shipments_input
    ANTI JOIN problem_rows USING (record_no)
),

final AS (
    SELECT
        loaded.shipment_id,
        a.name,
        a.kind,
        a.text_value,
        a.number_value,
        $batch_id AS batch_id
    FROM stg_attributes AS a
    INNER JOIN loaded USING (record_no)
)

SELECT * FROM final;
