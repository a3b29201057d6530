-- The count and xor of row hashes of the shipments of the months $first to $last, per
-- importing country and month (monthly_shipment_hashes; the columns are those every fit
-- can learn from).
INSERT INTO monthly_shipment_hashes
WITH final AS (
    SELECT
        import_country,
        date_trunc('month', arrival_date)::DATE AS month,
        count(*) AS shipments,
        bit_xor(hash(
            shipment_id, arrival_date, importer, exporter, origin_country, export_country,
            port_of_lading, port_of_unlading, hs_code, description, weight_kg, value_usd,
            transport_mode
        )) AS row_hash
    FROM shipments
    WHERE arrival_date >= $first AND arrival_date < ($last + INTERVAL 1 MONTH)::DATE
    GROUP BY ALL
)

SELECT * FROM final;
