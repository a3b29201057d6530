-- The learner's stored inputs of the shipments in wanted_ids, as computed by $version.
SELECT shipment_id, feature, number, text
FROM learning_features
SEMI JOIN wanted_ids USING (shipment_id)
WHERE version = $version
