-- Stored fits of $detector_version whose history fingerprint is among $fingerprints.
WITH final AS (
    SELECT quarter, import_country, history_fingerprint, detectors
    FROM fitted_detectors
    WHERE detector_version = $detector_version
        AND list_contains($fingerprints::VARCHAR[], history_fingerprint)
)

SELECT * FROM final
