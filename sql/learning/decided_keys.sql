-- What novelty and the parties' record read of the shipments in wanted_ids: arrival, traders,
-- code and origin.
SELECT shipment_id, arrival_date, exporter, importer, hs6, origin_country
FROM shipments
SEMI JOIN wanted_ids USING (shipment_id)
