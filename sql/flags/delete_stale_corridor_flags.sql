-- Open corridor flags of this detector version that the latest statistics no longer raise.
DELETE FROM flags
WHERE level = 'corridor'
    AND detector_version = $detector_version
    AND status = 'open'
    AND flag_id NOT IN (
        SELECT 'C' || substr(md5(origin_country || '|' || hs6 || '|' || period || '|'
            || $detector_version), 1, 15)
        FROM new_flags
        WHERE level = 'corridor'
    )
