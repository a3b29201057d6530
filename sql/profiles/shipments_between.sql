-- The columns the profiles read, of the shipments that arrived from $since to $until, in
-- no set order.
SELECT
    arrival_date,
    import_country,
    origin_country,
    hs6,
    weight_kg,
    value_usd,
    description,
    transport_mode,
    exporter,
    importer
FROM shipments
WHERE arrival_date BETWEEN $since AND $until;
