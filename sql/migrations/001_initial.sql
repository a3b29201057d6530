-- The store's first schema: raw facts (shipments, trade flows), what was refused
-- (quarantine), where every row came from (ingest_batches), and reference data.

CREATE TABLE store_meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE SEQUENCE ingest_batch_ids START 1;

CREATE TABLE ingest_batches (
    batch_id BIGINT PRIMARY KEY,
    kind VARCHAR NOT NULL CHECK (kind IN ('shipments', 'flows')),
    source_path VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    checksum_sha256 VARCHAR NOT NULL,
    input_format VARCHAR NOT NULL,
    mapping VARCHAR,
    encoding VARCHAR NOT NULL,
    rows_in BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    CHECK (rows_in = rows_loaded + rows_quarantined),
    -- The same bytes loaded the same way twice are one batch: ingest is idempotent.
    UNIQUE (kind, checksum_sha256, input_format)
);

-- shipment_id is unique: ingest quarantines any id already stored or repeated in a file,
-- and `transship check` verifies it. It is not declared as a key because DuckDB's index
-- would double the cost of loading a large file while protecting nothing more.
CREATE TABLE shipments (
    shipment_id VARCHAR NOT NULL,
    arrival_date DATE NOT NULL,
    importer VARCHAR,
    exporter VARCHAR,
    origin_country VARCHAR NOT NULL,
    export_country VARCHAR,
    port_of_lading VARCHAR,
    port_of_unlading VARCHAR,
    hs_code VARCHAR NOT NULL,
    hs6 VARCHAR NOT NULL,
    description VARCHAR,
    quantity DOUBLE,
    quantity_unit VARCHAR,
    weight_kg DOUBLE NOT NULL CHECK (weight_kg > 0),
    value_usd DOUBLE NOT NULL CHECK (value_usd >= 0),
    transport_mode VARCHAR,
    batch_id BIGINT NOT NULL,
    source_line BIGINT NOT NULL
);

CREATE TABLE trade_flows (
    source VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    frequency VARCHAR NOT NULL CHECK (frequency IN ('annual', 'monthly')),
    reporter VARCHAR NOT NULL,
    partner VARCHAR NOT NULL,
    flow VARCHAR NOT NULL CHECK (flow IN ('import', 'export', 're-import', 're-export')),
    hs6 VARCHAR NOT NULL,
    value_usd DOUBLE NOT NULL CHECK (value_usd >= 0),
    weight_kg DOUBLE CHECK (weight_kg >= 0),
    batch_id BIGINT NOT NULL,
    source_line BIGINT NOT NULL,
    PRIMARY KEY (source, period, reporter, partner, flow, hs6)
);

CREATE TABLE quarantine (
    batch_id BIGINT NOT NULL,
    source_line BIGINT,
    reason VARCHAR NOT NULL,
    column_name VARCHAR,
    bad_value VARCHAR,
    message VARCHAR NOT NULL,
    raw_record VARCHAR
);

CREATE TABLE ref_sources (
    ref_table VARCHAR PRIMARY KEY,
    source VARCHAR NOT NULL,
    as_of VARCHAR NOT NULL
);

CREATE TABLE ref_countries (
    code VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL CHECK (kind IN ('country', 'aggregate')),
    alpha3 VARCHAR,
    numeric_code INTEGER,
    name VARCHAR NOT NULL
);

CREATE TABLE ref_country_aliases (
    alias VARCHAR PRIMARY KEY,
    code VARCHAR NOT NULL
);

CREATE TABLE ref_comtrade_codes (
    m49 INTEGER PRIMARY KEY,
    code VARCHAR NOT NULL
);

CREATE TABLE ref_hs (
    hs_code VARCHAR PRIMARY KEY,
    level INTEGER NOT NULL CHECK (level IN (2, 4, 6)),
    parent VARCHAR,
    section VARCHAR,
    description VARCHAR NOT NULL
);

CREATE TABLE ref_controlled_codes (
    material VARCHAR NOT NULL,
    hs6 VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    note VARCHAR,
    PRIMARY KEY (material, hs6)
);

CREATE TABLE ref_cover_codes (
    hs6 VARCHAR PRIMARY KEY,
    cover VARCHAR NOT NULL,
    note VARCHAR
);

CREATE TABLE ref_control_events (
    event_date DATE NOT NULL,
    effective_date DATE NOT NULL,
    material VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,
    target VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    PRIMARY KEY (event_date, material, measure)
);

CREATE TABLE ref_capacity (
    material VARCHAR NOT NULL,
    country VARCHAR NOT NULL,
    stage VARCHAR NOT NULL CHECK (stage IN ('mine', 'smelt', 'refine', 'recycle')),
    share_pct DOUBLE,
    tonnes_per_year DOUBLE,
    start_date DATE,
    status VARCHAR NOT NULL CHECK (status IN ('operating', 'announced')),
    note VARCHAR,
    source VARCHAR NOT NULL,
    PRIMARY KEY (material, country, stage, status)
);
