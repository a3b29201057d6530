-- Arrival dates and importing countries of the shipments in wanted_ids that arrived up to
-- $until.
SELECT shipment_id, arrival_date, import_country
FROM shipments
SEMI JOIN wanted_ids USING (shipment_id)
WHERE arrival_date <= $until
ORDER BY arrival_date, shipment_id
