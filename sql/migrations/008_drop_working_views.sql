-- Ingest once wrote its working views over an input file into the store instead of
-- keeping them temporary; they referred to temporary tables and served nothing.
DROP VIEW IF EXISTS main.shipments_input;
DROP VIEW IF EXISTS main.flows_projected;
