-- Detectors fitted for a calendar quarter, so that nightly runs reuse the quarter's fit
-- instead of rebuilding a year of history features. A fit is reused only while its
-- history fingerprint (transship/fits.py) still matches what the store holds.
CREATE TABLE fitted_detectors (
    quarter DATE NOT NULL,
    detector_version VARCHAR NOT NULL,
    history_fingerprint VARCHAR NOT NULL,
    detectors BLOB NOT NULL,
    fitted_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (quarter, detector_version)
);
