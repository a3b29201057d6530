-- Monthly summaries of the stored shipments, kept as shipments arrive (each ingest
-- recomputes every month its batch touched): the nightly run builds
-- the profiles from these and from the current month's rows, never from every stored
-- shipment. Each month's row summarises that month alone.

-- Per importing country x origin x code (hs6 or hs4) x month: the corridor's totals and
-- its unit value (median and MAD of the log), as profile_corridors shows them.
CREATE TABLE monthly_corridors (
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
    PRIMARY KEY (import_country, origin_country, code_level, code, month)
);

-- Per importing country x hs6 x month: the rows of profile_codes (each is one month's).
CREATE TABLE monthly_codes (
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

-- Per importing country x exporter x importer x origin x month (a trader may be
-- unnamed): shipments, weight and the first and last arrival, which the trader profiles
-- sum, count and take the extremes of.
CREATE TABLE monthly_traders (
    import_country VARCHAR NOT NULL,
    exporter VARCHAR,
    importer VARCHAR,
    origin_country VARCHAR NOT NULL,
    month DATE NOT NULL,
    shipments BIGINT NOT NULL,
    weight_kg DOUBLE NOT NULL,
    first_seen DATE NOT NULL,
    last_seen DATE NOT NULL
);

-- The shipment batches whose rows the monthly tables hold: a batch not listed here (an
-- ingest stopped between its commit and its summaries, or a store older than these
-- tables) has its months recomputed by the next ingest or run.
CREATE TABLE aggregated_batches (
    batch_id BIGINT PRIMARY KEY
);
