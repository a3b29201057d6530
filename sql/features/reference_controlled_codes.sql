-- The controlled codes the features reason with: which material each HS6 can carry.
SELECT hs6, material
FROM ref_controlled_codes;
