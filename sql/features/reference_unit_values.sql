-- Typical prices of each controlled material on each of its codes, with their period.
SELECT material, hs6, usd_per_kg_low, usd_per_kg_high, period_start, period_end
FROM ref_unit_values;
