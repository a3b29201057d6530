-- Who mines, smelts, refines and recycles each material.
SELECT material, country, stage, scale, status, start_date, note
FROM ref_capacity;
