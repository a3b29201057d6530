-- Learning from analysts' decisions (transship/learning/): a source's extra columns, past
-- inspection outcomes, every scored shipment's score, the learner's inputs per decided
-- shipment, and the learned models. Nothing here changes a decision or a flag's status.

-- Columns a mapping keeps beyond the shipment contract ([attributes] in the mapping), one
-- row per shipment and non-empty attribute, typed as the mapping says: a number, a category
-- (a small vocabulary the learner reads) or an identifier (kept, never a model input).
CREATE TABLE shipment_attributes (
    shipment_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('number', 'category', 'identifier')),
    text_value VARCHAR NOT NULL,
    number_value DOUBLE,
    batch_id BIGINT NOT NULL,
    CHECK ((kind = 'number') = (number_value IS NOT NULL))
);

-- Past inspection outcomes (`transship review import`): 1 fraud found, 0 clean, on
-- shipments whether or not transship flagged them. A run scoring day D learns from those
-- with counts_from before D. Ids come from the decisions' sequence, so the decision log
-- orders both together. Rows are only ever inserted.
CREATE TABLE inspection_outcomes (
    outcome_id BIGINT PRIMARY KEY,
    shipment_id VARCHAR NOT NULL,
    positive INTEGER NOT NULL CHECK (positive IN (0, 1)),
    counts_from DATE NOT NULL,
    analyst VARCHAR NOT NULL,
    note VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    imported_at TIMESTAMP NOT NULL
);

-- Every shipment the latest run over its date scored, flagged or not (`transship scores`).
-- base_score is the score without the learned part; exact is false where the costly models
-- skipped the shipment (its rules could not reach the flag threshold), whose score is then
-- a lower bound. chosen_for_learning is 'uncertain' or 'novel' for an exploration pick.
CREATE TABLE shipment_scores (
    shipment_id VARCHAR NOT NULL,
    arrival_date DATE NOT NULL,
    score DOUBLE NOT NULL,
    base_score DOUBLE NOT NULL,
    exact BOOLEAN NOT NULL,
    learned DOUBLE,
    learned_weight DOUBLE,
    learned_model BIGINT,
    chosen_for_learning VARCHAR CHECK (chosen_for_learning IN ('uncertain', 'novel')),
    run_id BIGINT NOT NULL,
    detector_version VARCHAR NOT NULL
);

-- What the learner reads of a shipment (its features as of its arrival, each detector's own
-- score, its score before learning), kept for decided shipments (computed by the first run
-- that needs them) so that retraining reads them instead of rebuilding history. One row per shipment and input;
-- `version` names the code and detector version that computed them (others are recomputed).
CREATE TABLE learning_features (
    shipment_id VARCHAR NOT NULL,
    version VARCHAR NOT NULL,
    feature VARCHAR NOT NULL,
    number DOUBLE,
    text VARCHAR
);

CREATE SEQUENCE learned_model_ids START 1;

-- Learned models, one importing country's each (a country learns from its own decisions),
-- keyed by the decision set they learned from (fingerprint: the importing country, every
-- label with the date it counts from, the learner settings, the code and the inputs'
-- version), so a run whose decisions did not change reuses its model. `used` is false for
-- a model that ranked held-out decisions worse than no learning; `note` says why in words.
CREATE TABLE learned_models (
    model_id BIGINT PRIMARY KEY,
    fingerprint VARCHAR NOT NULL UNIQUE,
    import_country VARCHAR NOT NULL,
    trained_before DATE NOT NULL,
    decisions BIGINT NOT NULL,
    positives BIGINT NOT NULL,
    negatives BIGINT NOT NULL,
    weight DOUBLE NOT NULL,
    used BOOLEAN NOT NULL,
    note VARCHAR NOT NULL,
    holdout_size BIGINT,
    holdout_ap_learned DOUBLE,
    holdout_ap_base DOUBLE,
    seconds DOUBLE NOT NULL,
    fitted_at TIMESTAMP NOT NULL,
    model BLOB NOT NULL
);
