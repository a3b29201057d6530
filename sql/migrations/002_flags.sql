-- Detection: how big an origin's capacity is, the known transit hubs, every pipeline run,
-- and the flags analysts review.

ALTER TABLE ref_capacity ADD COLUMN scale VARCHAR;

CREATE TABLE ref_hubs (
    country VARCHAR PRIMARY KEY,
    note VARCHAR NOT NULL
);

CREATE SEQUENCE run_ids START 1;

CREATE TABLE runs (
    run_id BIGINT PRIMARY KEY,
    kind VARCHAR NOT NULL,
    parameters VARCHAR NOT NULL,
    detector_version VARCHAR NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    shipments_scored BIGINT,
    flags_written BIGINT,
    counts VARCHAR,
    error VARCHAR
);

-- One row per flagged shipment or corridor. The id depends only on what is flagged and
-- the detector version, so a rerun replaces a flag instead of adding another; status is
-- never touched by a rerun.
CREATE TABLE flags (
    flag_id VARCHAR PRIMARY KEY,
    level VARCHAR NOT NULL CHECK (level IN ('shipment', 'corridor')),
    shipment_id VARCHAR,
    flag_date DATE NOT NULL,
    period VARCHAR NOT NULL,
    origin_country VARCHAR NOT NULL,
    hs_code VARCHAR NOT NULL,
    hs6 VARCHAR NOT NULL,
    material VARCHAR,
    score DOUBLE NOT NULL CHECK (score BETWEEN 0 AND 100),
    severity VARCHAR NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    detectors VARCHAR NOT NULL,
    contributions VARCHAR NOT NULL,
    reasons VARCHAR NOT NULL,
    detector_version VARCHAR NOT NULL,
    run_id BIGINT NOT NULL REFERENCES runs (run_id),
    status VARCHAR NOT NULL DEFAULT 'open',
    first_flagged_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((level = 'shipment') = (shipment_id IS NOT NULL))
);
