-- The shipment flags, best first: the ranking evaluated against labels.
SELECT shipment_id, score
FROM flags
WHERE level = 'shipment'
ORDER BY score DESC, shipment_id;
