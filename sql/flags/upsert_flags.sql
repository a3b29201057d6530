-- New and rescored flags from one run. A flag's id depends only on what it flags (a
-- shipment, or a corridor: importing country x origin x code x period) and the detector
-- version, so a rerun updates the same row; status and first_flagged_at are never touched
-- here, which is what keeps an analyst's review across reruns.
INSERT INTO flags BY NAME
WITH staged AS (
    SELECT
        CASE WHEN level = 'shipment'
            THEN 'S' || substr(md5(shipment_id || '|' || $detector_version), 1, 15)
            ELSE 'C' || substr(md5(basis || '|' || import_country || '|' || origin_country
                || '|' || hs6 || '|' || period || '|' || $detector_version), 1, 15)
        END AS flag_id,
        level,
        basis,
        import_country,
        shipment_id,
        flag_date,
        period,
        origin_country,
        hs_code,
        hs6,
        material,
        score,
        severity,
        detectors,
        contributions,
        reasons,
        $detector_version AS detector_version,
        $run_id AS run_id,
        now()::TIMESTAMP AS first_flagged_at,
        now()::TIMESTAMP AS updated_at
    FROM new_flags
),

final AS (
    SELECT * FROM staged
)

SELECT * FROM final
ON CONFLICT (flag_id) DO UPDATE SET
    score = excluded.score,
    severity = excluded.severity,
    detectors = excluded.detectors,
    contributions = excluded.contributions,
    reasons = excluded.reasons,
    run_id = excluded.run_id,
    updated_at = excluded.updated_at
