-- The stored attributes of the shipments in wanted_ids.
SELECT shipment_id, name, kind, text_value, number_value
FROM shipment_attributes
SEMI JOIN wanted_ids USING (shipment_id)
ORDER BY shipment_id, name
