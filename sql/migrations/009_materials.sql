-- Materials as data: every reference row names its sources and says when it is uncertain;
-- control events state the destinations they apply to; capacity rows have end dates and
-- may be closed; typical unit values per code; the sources themselves; which files
-- described each material. The reference install refills every table from the
-- materials files on the next open; existing rows are carried over so the store stays
-- consistent until then.

-- Control events: a scope of destinations. Old rows apply to every destination except
-- the 2024-12-03 ban, which applies to exports to the United States only. Two events of
-- one date, material and measure may now differ by scope, so the key includes it.
CREATE TABLE ref_control_events_new (
    event_date DATE NOT NULL,
    effective_date DATE NOT NULL,
    end_date DATE,
    material VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,
    target VARCHAR NOT NULL,
    destinations VARCHAR[] NOT NULL,
    description VARCHAR NOT NULL,
    source VARCHAR[] NOT NULL,
    uncertain BOOLEAN NOT NULL DEFAULT false,
    note VARCHAR,
    PRIMARY KEY (event_date, material, measure, target)
);
INSERT INTO ref_control_events_new
    (event_date, effective_date, material, measure, target, destinations, description, source)
SELECT
    event_date,
    effective_date,
    material,
    measure,
    target,
    CASE WHEN measure = 'ban' AND target = 'US' THEN ['US'] ELSE ['all'] END,
    description,
    ['domain-brief']
FROM ref_control_events;
DROP TABLE ref_control_events;
ALTER TABLE ref_control_events_new RENAME TO ref_control_events;

-- Capacity: periods with an end date, closed plants, several periods per country and
-- stage (the loader refuses overlapping ones), sources as ids.
CREATE TABLE ref_capacity_new (
    material VARCHAR NOT NULL,
    country VARCHAR NOT NULL,
    stage VARCHAR NOT NULL CHECK (stage IN ('mine', 'smelt', 'refine', 'recycle')),
    scale VARCHAR CHECK (scale IN ('major', 'minor')),
    status VARCHAR NOT NULL CHECK (status IN ('operating', 'announced', 'closed')),
    start_date DATE,
    end_date DATE,
    share_pct DOUBLE,
    tonnes_per_year DOUBLE,
    note VARCHAR,
    source VARCHAR[] NOT NULL,
    uncertain BOOLEAN NOT NULL DEFAULT false
);
INSERT INTO ref_capacity_new
    (material, country, stage, scale, status, start_date, share_pct, tonnes_per_year, note,
     source)
SELECT material, country, stage, scale, status, start_date, share_pct, tonnes_per_year, note,
    [source]
FROM ref_capacity;
DROP TABLE ref_capacity;
ALTER TABLE ref_capacity_new RENAME TO ref_capacity;

-- Controlled codes: whether the code is shared (with another material here, or with other
-- goods named in the file), and by what.
ALTER TABLE ref_controlled_codes ADD COLUMN shared BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE ref_controlled_codes ADD COLUMN shared_with VARCHAR[];
ALTER TABLE ref_controlled_codes ADD COLUMN other_goods VARCHAR[];
ALTER TABLE ref_controlled_codes ADD COLUMN source VARCHAR[];
ALTER TABLE ref_controlled_codes ADD COLUMN uncertain BOOLEAN NOT NULL DEFAULT false;
UPDATE ref_controlled_codes SET
    shared = hs6 IN (
        SELECT hs6 FROM ref_controlled_codes GROUP BY hs6 HAVING count(*) > 1
    ),
    source = ['domain-brief'];

-- Cover codes belong to the material they were seen hiding ('all' when not stated).
CREATE TABLE ref_cover_codes_new (
    material VARCHAR NOT NULL,
    hs6 VARCHAR NOT NULL,
    cover VARCHAR NOT NULL,
    note VARCHAR,
    source VARCHAR[] NOT NULL,
    uncertain BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (material, hs6)
);
INSERT INTO ref_cover_codes_new (material, hs6, cover, note, source)
SELECT 'all', hs6, cover, note, ['domain-brief'] FROM ref_cover_codes;
DROP TABLE ref_cover_codes;
ALTER TABLE ref_cover_codes_new RENAME TO ref_cover_codes;

CREATE TABLE ref_unit_values (
    material VARCHAR NOT NULL,
    hs6 VARCHAR NOT NULL,
    usd_per_kg_low DOUBLE NOT NULL,
    usd_per_kg_high DOUBLE NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    note VARCHAR,
    source VARCHAR[] NOT NULL,
    uncertain BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (material, hs6, period_start)
);

CREATE TABLE ref_material_sources (
    source_id VARCHAR PRIMARY KEY,
    title VARCHAR NOT NULL,
    publisher VARCHAR NOT NULL,
    published VARCHAR NOT NULL,
    url VARCHAR,
    note VARCHAR,
    file VARCHAR NOT NULL
);

CREATE TABLE ref_materials (
    material VARCHAR PRIMARY KEY,
    note VARCHAR,
    files VARCHAR[] NOT NULL
);

-- The rows above are placeholders until the materials files are installed.
DELETE FROM store_meta WHERE key = 'reference_version';
