-- Open statistics-based corridor flags that the latest statistics do not keep: those of
-- this detector version they no longer raise, and every one of an earlier version (the
-- new flags supersede them). Flags with a decision are never deleted.
DELETE FROM flags
WHERE basis = 'statistics'
    AND status = 'open'
    AND flag_id NOT IN (SELECT flag_id FROM decisions)
    AND (
        detector_version <> $detector_version
        OR (import_country || '|' || origin_country || '|' || hs6 || '|' || period) NOT IN (
            SELECT import_country || '|' || origin_country || '|' || hs6 || '|' || period
            FROM new_flags
        )
    )
