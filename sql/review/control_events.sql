-- China's measures on the flag's materials ($materials) that apply to its importing
-- country ($importer): their destinations include it, or every country.
WITH final AS (
    SELECT effective_date, end_date, material, measure, description
    FROM ref_control_events
    WHERE list_contains($materials::VARCHAR[], material)
        AND (list_contains(destinations, $importer) OR list_contains(destinations, 'all'))
    ORDER BY effective_date, material, measure
)

SELECT * FROM final
