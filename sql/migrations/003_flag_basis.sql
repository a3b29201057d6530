-- Whether a flag comes from shipment records or from trade statistics alone: reruns
-- replace shipment-based flags only within their date range, statistics-based ones whole.
ALTER TABLE flags ADD COLUMN basis VARCHAR DEFAULT 'shipments';

UPDATE flags SET basis = 'statistics' WHERE level = 'corridor';

CREATE TABLE profile_corridors (
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
    PRIMARY KEY (origin_country, code_level, code, month)
);

CREATE TABLE profile_codes (
    hs6 VARCHAR NOT NULL,
    month DATE NOT NULL,
    shipments BIGINT NOT NULL,
    unit_value_median DOUBLE,
    weight_median_kg DOUBLE,
    mode_mix VARCHAR,
    vocabulary VARCHAR,
    PRIMARY KEY (hs6, month)
);

CREATE TABLE profile_exporters (
    exporter VARCHAR PRIMARY KEY,
    first_seen DATE NOT NULL,
    last_seen DATE NOT NULL,
    shipments BIGINT NOT NULL,
    weight_kg DOUBLE NOT NULL,
    importers BIGINT NOT NULL,
    origins VARCHAR NOT NULL,
    recent_kg DOUBLE NOT NULL,
    previous_kg DOUBLE NOT NULL,
    growth DOUBLE
);

CREATE TABLE profile_importers (
    importer VARCHAR PRIMARY KEY,
    first_seen DATE NOT NULL,
    last_seen DATE NOT NULL,
    shipments BIGINT NOT NULL,
    weight_kg DOUBLE NOT NULL,
    exporters BIGINT NOT NULL,
    origins VARCHAR NOT NULL,
    new_origins_90d BIGINT NOT NULL
);
