-- Per importing country x month: the count and a running xor of row hashes of its stored
-- shipments, kept as shipments arrive (each ingest recomputes every month its batch
-- touched, as the monthly summaries). A stored fit's fingerprint reads these instead of
-- hashing every stored shipment each night; the xor of a quarter's months is the
-- quarter's xor, so fingerprints are the ones the shipments gave before.
CREATE TABLE monthly_shipment_hashes (
    import_country VARCHAR NOT NULL,
    month DATE NOT NULL,
    shipments BIGINT NOT NULL,
    row_hash UBIGINT NOT NULL,
    PRIMARY KEY (import_country, month)
);

INSERT INTO monthly_shipment_hashes
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
GROUP BY ALL;
