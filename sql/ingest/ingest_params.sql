-- The mapping's settings the staging view reads: the rate that turns the file's currency
-- into US dollars (1 for files already in dollars), and the importing country of rows
-- that name none (the mapping's constant, else the store's default).
CREATE OR REPLACE TEMP TABLE ingest_params AS
SELECT $rate::DOUBLE AS usd_per_unit, $country AS default_import_country;
