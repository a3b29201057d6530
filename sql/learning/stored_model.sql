-- The stored learned model with this fingerprint.
SELECT
    trained_before AS cutoff,
    decisions,
    positives,
    negatives,
    weight,
    used,
    note,
    fingerprint,
    model_id,
    holdout_size,
    holdout_ap_learned,
    holdout_ap_base,
    seconds,
    model
FROM learned_models
WHERE fingerprint = $fingerprint
