-- Canonical and Census trade-statistics files: their columns are the contract's already.
CREATE OR REPLACE TEMP TABLE flows_input AS
SELECT * FROM flows_projected;
