-- Who mines, smelts, refines and recycles each material, and from when to when.
SELECT material, country, stage, scale, status, start_date, end_date, note
FROM ref_capacity;
