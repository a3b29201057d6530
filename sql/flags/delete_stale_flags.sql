-- Open shipment flags of this detector version in the rerun range that the rerun no
-- longer raises. Flags an analyst has acted on are never deleted.
DELETE FROM flags
WHERE level = 'shipment'
    AND detector_version = $detector_version
    AND status = 'open'
    AND flag_date BETWEEN $start_date AND $end_date
    AND shipment_id NOT IN (SELECT shipment_id FROM new_flags WHERE level = 'shipment')
