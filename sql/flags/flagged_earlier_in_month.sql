-- Shipments this detector version already flagged earlier in the month of $first (in
-- earlier runs), so that the month's corridor flag counts them whether the month was
-- scored in one run or night by night.
SELECT shipment_id
FROM flags
WHERE level = 'shipment'
    AND detector_version = $detector_version
    AND flag_date >= date_trunc('month', $first::DATE)
    AND flag_date < $first
