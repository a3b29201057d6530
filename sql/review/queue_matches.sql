-- Flags matching the review queue's filters, ranked; every filter is a bound parameter.
-- Status is left to the caller so the queue can count every status under the same filters.
WITH matching AS (
    SELECT flag_id, score, severity, status, flag_date
    FROM flags
    WHERE ($import_country IS NULL OR import_country = $import_country)
        AND ($material IS NULL OR material = $material)
        AND ($origin IS NULL OR origin_country = $origin)
        AND ($hs_code IS NULL OR starts_with(hs_code, $hs_code))
        AND ($since IS NULL OR flag_date >= $since)
        AND ($until IS NULL OR flag_date <= $until)
        AND ($severity IS NULL OR severity = $severity)
        AND ($detector IS NULL OR list_contains(string_split(detectors, ','), $detector))
        AND ($level IS NULL OR level = $level)
),

final AS (
    SELECT * FROM matching
    ORDER BY score DESC, flag_date DESC, flag_id
)

SELECT * FROM final
