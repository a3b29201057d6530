-- Keep a learned model of an importing country's decisions under its fingerprint; its id
-- comes back.
INSERT INTO learned_models BY NAME
SELECT
    nextval('learned_model_ids') AS model_id,
    $fingerprint AS fingerprint,
    $import_country AS import_country,
    $cutoff::DATE AS trained_before,
    $decisions AS decisions,
    $positives AS positives,
    $negatives AS negatives,
    $weight AS weight,
    $used AS used,
    $note AS note,
    $holdout_size AS holdout_size,
    $holdout_ap_learned AS holdout_ap_learned,
    $holdout_ap_base AS holdout_ap_base,
    $seconds AS seconds,
    now()::TIMESTAMP AS fitted_at,
    $model AS model
RETURNING model_id
