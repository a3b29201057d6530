-- The id of the batch about to be written.
SELECT nextval('ingest_batch_ids') AS batch_id;
