-- The learner's inputs of the shipments in new_inputs replace whatever was kept for them.
DELETE FROM learning_features
WHERE shipment_id IN (SELECT DISTINCT shipment_id FROM new_inputs);

INSERT INTO learning_features BY NAME
SELECT shipment_id, version, feature, number, text FROM new_inputs;
