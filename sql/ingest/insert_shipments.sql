-- The records of the file that keep every rule of the contract (ingest/checked_shipments)
-- and whose attributes parse.
INSERT INTO shipments BY NAME
SELECT
    shipment_id,
    arrival_date,
    importer,
    exporter,
    origin_country,
    export_country,
    import_country,
    port_of_lading,
    port_of_unlading,
    hs_code,
    left(hs_code, 6) AS hs6,
    description,
    quantity,
    quantity_unit,
    weight_kg,
    value_usd,
    transport_mode,
    $batch_id AS batch_id,
    source_line
FROM checked_shipments
ANTI JOIN attribute_problems USING (record_no)
WHERE NOT has_problem;
