-- What novelty compares of the shipments in wanted_ids: their traders, code and origin.
SELECT shipment_id, exporter, importer, hs6, origin_country
FROM shipments
SEMI JOIN wanted_ids USING (shipment_id)
