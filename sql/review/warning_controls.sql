-- China's controls that apply to one importing country: those whose destinations include it
-- or 'all' (the 2024-12-03 ban applies to the US only), with the day each takes effect and
-- its last day in force, for the Warnings page's charts.
WITH applying AS (
    SELECT
        effective_date,
        end_date,
        material,
        measure,
        description
    FROM ref_control_events
    WHERE
        list_contains(destinations, $import_country)
        OR list_contains(destinations, 'all')
),

final AS (
    SELECT * FROM applying
    ORDER BY effective_date, material, measure
)

SELECT * FROM final
