-- Open shipment-based flags in the rerun range that the rerun does not keep: those of this
-- detector version it no longer raises, and every one of an earlier version (the rerun's
-- flags supersede them, so the queue never holds one shipment or month twice). Shipment
-- flags by arrival date, monthly corridor flags by month. Flags an analyst has acted on
-- (any decision, even one later reopened) are never deleted.
DELETE FROM flags
WHERE basis = 'shipments'
    AND status = 'open'
    AND flag_id NOT IN (SELECT flag_id FROM decisions)
    AND (
        (level = 'shipment' AND flag_date BETWEEN $start_date AND $end_date)
        OR (level = 'corridor'
            AND flag_date BETWEEN date_trunc('month', $start_date::DATE) AND $end_date)
    )
    AND (
        detector_version <> $detector_version
        OR (level = 'shipment'
            AND shipment_id NOT IN (
                SELECT shipment_id FROM new_flags WHERE level = 'shipment'
            ))
        OR (level = 'corridor'
            AND (import_country || '|' || origin_country || '|' || hs6 || '|' || period)
            NOT IN (
                SELECT import_country || '|' || origin_country || '|' || hs6 || '|' || period
                FROM new_flags
                WHERE level = 'corridor'
            ))
    )
