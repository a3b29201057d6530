-- The controlled codes the features reason with: which material each HS6 can carry, and
-- the other goods it also holds (8112.92 holds indium, niobium, vanadium too).
SELECT hs6, material, other_goods
FROM ref_controlled_codes;
