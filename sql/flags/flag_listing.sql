-- Flags for review or export, newest evidence first within score; every filter is bound.
WITH filtered AS (
    SELECT *
    FROM flags
    WHERE ($since IS NULL OR flag_date >= $since)
        AND ($until IS NULL OR flag_date <= $until)
        AND ($status IS NULL OR status = $status)
        AND score >= $min_score
        AND ($level IS NULL OR level = $level)
),

with_shipment AS (
    SELECT
        f.flag_id,
        f.level,
        f.import_country,
        f.shipment_id,
        coalesce(s.arrival_date, f.flag_date) AS arrival_date,
        f.period,
        f.origin_country,
        s.export_country,
        f.hs_code,
        f.material,
        s.importer,
        s.exporter,
        s.weight_kg,
        s.value_usd,
        f.score,
        f.severity,
        f.status,
        f.detectors,
        f.reasons,
        f.contributions,
        f.detector_version,
        f.run_id
    FROM filtered AS f
    LEFT JOIN shipments AS s USING (shipment_id)
),

final AS (
    SELECT * FROM with_shipment
    ORDER BY score DESC, arrival_date DESC, flag_id
    LIMIT $limit
)

SELECT * FROM final
