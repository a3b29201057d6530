-- Open statistics-based corridor flags of this detector version that the latest
-- statistics no longer raise.
DELETE FROM flags
WHERE basis = 'statistics'
    AND detector_version = $detector_version
    AND status = 'open'
    AND flag_id NOT IN (SELECT flag_id FROM decisions)
    AND (import_country || '|' || origin_country || '|' || hs6 || '|' || period) NOT IN (
        SELECT import_country || '|' || origin_country || '|' || hs6 || '|' || period
        FROM new_flags
    )
