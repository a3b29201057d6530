-- The stored fits of a detector version whose history fingerprint is one of those given.
SELECT quarter, history_fingerprint, detectors
FROM fitted_detectors
WHERE detector_version = $detector_version AND list_contains($fingerprints, history_fingerprint);
