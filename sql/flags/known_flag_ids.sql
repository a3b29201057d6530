-- Which of the given flag ids are in the store.
SELECT flag_id
FROM flags
WHERE flag_id IN (SELECT unnest($flag_ids::VARCHAR[]));
