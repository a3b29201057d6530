-- The mapping's settings the staging view reads: the rate that turns the file's currency
-- into US dollars (1 for files already in dollars).
CREATE OR REPLACE TEMP TABLE ingest_params AS
SELECT $rate::DOUBLE AS usd_per_unit;
