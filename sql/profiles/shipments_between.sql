-- The columns $columns of the shipments that arrived from $since to $until, in no set
-- order (the profiles read at most arrival_date, import_country, origin_country, hs6,
-- weight_kg, value_usd, description, transport_mode, exporter and importer).
SELECT {{ columns }}
FROM shipments
WHERE arrival_date BETWEEN $since AND $until;
