-- Keep one quarter's fit for one importing country, replacing an earlier fit of the same
-- detector version.
INSERT OR REPLACE INTO fitted_detectors
    (quarter, import_country, detector_version, history_fingerprint, detectors, fitted_at)
VALUES
    ($quarter, $import_country, $detector_version, $fingerprint, $detectors, current_timestamp)
