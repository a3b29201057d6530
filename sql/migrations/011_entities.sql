-- Entity resolution: which spellings of a trader are one firm (transship/entities/).

-- Every trained model, versioned: one row per resolution and role, with Splink's
-- settings (every m and u) and the match threshold it linked at.
CREATE TABLE entity_models (
    model_version INTEGER NOT NULL,
    role VARCHAR NOT NULL CHECK (role IN ('exporter', 'importer')),
    trained_at TIMESTAMP NOT NULL,
    splink_version VARCHAR NOT NULL,
    threshold DOUBLE NOT NULL,
    settings JSON NOT NULL,
    spellings BIGINT NOT NULL,
    links BIGINT NOT NULL,
    PRIMARY KEY (model_version, role)
);

-- Every spelling of a trader exactly as the shipments write it, with its folded name,
-- the record the model compares, when it was seen and its current entity.
CREATE TABLE entity_aliases (
    role VARCHAR NOT NULL CHECK (role IN ('exporter', 'importer')),
    alias VARCHAR NOT NULL,
    alias_id BIGINT NOT NULL UNIQUE,
    core_name VARCHAR NOT NULL,
    legal_form VARCHAR,
    address VARCHAR,
    name_status VARCHAR NOT NULL
        CHECK (name_status IN ('ok', 'empty', 'too_short', 'legal_form_only', 'non_latin')),
    country VARCHAR,
    origins VARCHAR[] NOT NULL,
    ports VARCHAR[] NOT NULL,
    chapters VARCHAR[] NOT NULL,
    partners VARCHAR[] NOT NULL,
    first_seen DATE NOT NULL,
    last_seen DATE NOT NULL,
    shipments BIGINT NOT NULL,
    entity_id VARCHAR,
    -- 'model' (joined by the model's links), 'analyst' (a correction names it), 'alone'.
    assigned_by VARCHAR,
    PRIMARY KEY (role, alias)
);

-- Links between two spellings: the model's at or above its threshold.
CREATE TABLE entity_links (
    role VARCHAR NOT NULL,
    alias_l VARCHAR NOT NULL,
    alias_r VARCHAR NOT NULL,
    match_probability DOUBLE NOT NULL,
    match_weight DOUBLE NOT NULL,
    model_version INTEGER NOT NULL,
    PRIMARY KEY (role, alias_l, alias_r)
);

-- Analysts' corrections: an append-only log, like decisions on flags.
CREATE SEQUENCE entity_correction_ids START 1;
CREATE TABLE entity_corrections (
    correction_id BIGINT PRIMARY KEY,
    action VARCHAR NOT NULL CHECK (action IN ('merge', 'split')),
    role VARCHAR NOT NULL,
    named VARCHAR[] NOT NULL,
    entities VARCHAR[] NOT NULL,
    note VARCHAR NOT NULL,
    analyst VARCHAR NOT NULL,
    corrected_at TIMESTAMP NOT NULL
);

-- What each correction says about pairs of spellings: the same firm, different firms,
-- or neither any more (a later merge clears an earlier 'different'). The latest row of a
-- pair is in force; they are kept by spelling, so they survive any re-resolution.
CREATE TABLE entity_constraints (
    correction_id BIGINT NOT NULL,
    role VARCHAR NOT NULL,
    alias_l VARCHAR NOT NULL,
    alias_r VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('same', 'different', 'cleared'))
);

-- Each spelling's entity over time: from valid_from (inclusive) to valid_to (exclusive;
-- NULL: still). A spelling first seen after a date never changes that date's entities.
CREATE TABLE entity_memberships (
    role VARCHAR NOT NULL,
    alias VARCHAR NOT NULL,
    entity_id VARCHAR NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE
);

-- Every entity that ever was a key: its name (its most used spelling), what it holds now,
-- and for an entity that a later spelling joined to an older one, which and when.
CREATE TABLE entities (
    entity_id VARCHAR PRIMARY KEY,
    role VARCHAR NOT NULL,
    entity_name VARCHAR NOT NULL,
    aliases INTEGER NOT NULL,
    shipments BIGINT NOT NULL,
    first_seen DATE NOT NULL,
    last_seen DATE,
    unresolved BOOLEAN NOT NULL,
    merged_into VARCHAR,
    merged_on DATE
);

-- Per shipment, its exporter's and importer's entity as they were on its arrival date
-- (NULL for a name not resolved yet, or no name).
CREATE VIEW shipment_entities AS
SELECT
    s.shipment_id,
    s.arrival_date,
    ex.entity_id AS exporter_entity_id,
    im.entity_id AS importer_entity_id
FROM shipments AS s
LEFT JOIN entity_memberships AS ex
    ON ex.role = 'exporter' AND ex.alias = s.exporter
    AND s.arrival_date >= ex.valid_from
    AND (ex.valid_to IS NULL OR s.arrival_date < ex.valid_to)
LEFT JOIN entity_memberships AS im
    ON im.role = 'importer' AND im.alias = s.importer
    AND s.arrival_date >= im.valid_from
    AND (im.valid_to IS NULL OR s.arrival_date < im.valid_to);
