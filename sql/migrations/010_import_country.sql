-- The importing country: every shipment, flag, profile and quarterly fit belongs to one
-- (one store may hold several, as a trade-data vendor's file does). The store's default
-- fills files that do not say (`transship init --import-country`); stores made before
-- the column existed held US imports: their rows get the default, US. (A column default
-- fills them; it is dropped after, so no later insert can leave the country unsaid.)
INSERT INTO store_meta VALUES ('import_country', 'US');

ALTER TABLE shipments ADD COLUMN import_country VARCHAR DEFAULT 'US';
ALTER TABLE shipments ALTER COLUMN import_country SET NOT NULL;
ALTER TABLE shipments ALTER COLUMN import_country DROP DEFAULT;

ALTER TABLE flags ADD COLUMN import_country VARCHAR DEFAULT 'US';
ALTER TABLE flags ALTER COLUMN import_country SET NOT NULL;
ALTER TABLE flags ALTER COLUMN import_country DROP DEFAULT;

-- Profiles and fits are keyed by the importing country: rebuilt with it in their keys.
CREATE TABLE profile_corridors_new (
    import_country VARCHAR NOT NULL,
    origin_country VARCHAR NOT NULL,
    code_level VARCHAR NOT NULL CHECK (code_level IN ('hs6', 'hs4')),
    code VARCHAR NOT NULL,
    month DATE NOT NULL,
    shipments BIGINT NOT NULL,
    weight_kg DOUBLE NOT NULL,
    value_usd DOUBLE NOT NULL,
    unit_value_median DOUBLE,
    unit_value_mad DOUBLE,
    origin_share DOUBLE,
    baseline_kg DOUBLE,
    surge_ratio DOUBLE,
    control_date DATE,
    after_control BOOLEAN,
    PRIMARY KEY (import_country, origin_country, code_level, code, month)
);
INSERT INTO profile_corridors_new BY NAME
SELECT *, 'US' AS import_country
FROM profile_corridors;
DROP TABLE profile_corridors;
ALTER TABLE profile_corridors_new RENAME TO profile_corridors;

CREATE TABLE profile_codes_new (
    import_country VARCHAR NOT NULL,
    hs6 VARCHAR NOT NULL,
    month DATE NOT NULL,
    shipments BIGINT NOT NULL,
    unit_value_median DOUBLE,
    weight_median_kg DOUBLE,
    mode_mix VARCHAR,
    vocabulary VARCHAR,
    PRIMARY KEY (import_country, hs6, month)
);
INSERT INTO profile_codes_new BY NAME
SELECT *, 'US' AS import_country
FROM profile_codes;
DROP TABLE profile_codes;
ALTER TABLE profile_codes_new RENAME TO profile_codes;

CREATE TABLE profile_exporters_new (
    import_country VARCHAR NOT NULL,
    exporter VARCHAR NOT NULL,
    first_seen DATE NOT NULL,
    last_seen DATE NOT NULL,
    shipments BIGINT NOT NULL,
    weight_kg DOUBLE NOT NULL,
    importers BIGINT NOT NULL,
    origins VARCHAR NOT NULL,
    recent_kg DOUBLE NOT NULL,
    previous_kg DOUBLE NOT NULL,
    growth DOUBLE,
    new_pairs_90d BIGINT,
    PRIMARY KEY (import_country, exporter)
);
INSERT INTO profile_exporters_new BY NAME
SELECT *, 'US' AS import_country
FROM profile_exporters;
DROP TABLE profile_exporters;
ALTER TABLE profile_exporters_new RENAME TO profile_exporters;

CREATE TABLE profile_importers_new (
    import_country VARCHAR NOT NULL,
    importer VARCHAR NOT NULL,
    first_seen DATE NOT NULL,
    last_seen DATE NOT NULL,
    shipments BIGINT NOT NULL,
    weight_kg DOUBLE NOT NULL,
    exporters BIGINT NOT NULL,
    origins VARCHAR NOT NULL,
    new_origins_90d BIGINT NOT NULL,
    origin_switches VARCHAR,
    PRIMARY KEY (import_country, importer)
);
INSERT INTO profile_importers_new BY NAME
SELECT *, 'US' AS import_country
FROM profile_importers;
DROP TABLE profile_importers;
ALTER TABLE profile_importers_new RENAME TO profile_importers;

CREATE TABLE fitted_detectors_new (
    quarter DATE NOT NULL,
    import_country VARCHAR NOT NULL,
    detector_version VARCHAR NOT NULL,
    history_fingerprint VARCHAR NOT NULL,
    detectors BLOB NOT NULL,
    fitted_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (quarter, import_country, detector_version)
);
INSERT INTO fitted_detectors_new BY NAME
SELECT *, 'US' AS import_country
FROM fitted_detectors;
DROP TABLE fitted_detectors;
ALTER TABLE fitted_detectors_new RENAME TO fitted_detectors;

-- How reasons name an importing country: 'Korean imports', 'exported to Korea'.
CREATE TABLE ref_importers (
    code VARCHAR PRIMARY KEY,
    adjective VARCHAR NOT NULL,
    name VARCHAR NOT NULL
);
DELETE FROM store_meta WHERE key = 'reference_version';
