-- Keep a quarter's fitted detectors, replacing an earlier fit of the same detector version.
INSERT OR REPLACE INTO fitted_detectors
    (quarter, detector_version, history_fingerprint, detectors, fitted_at)
VALUES ($quarter, $detector_version, $fingerprint, $detectors, current_timestamp);
