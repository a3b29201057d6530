-- The uncontrolled codes' shipments from $since to before $before, only what a build
-- reads of them summed (load_history's OlderTotals: corridor and code day weights, the
-- codes' prices). Sorted by corridor and day, and within a day by shipment as a build
-- sorts its rows: day totals are then added in a build's order.
WITH controlled AS (
    SELECT hs6 FROM ref_controlled_codes
),

final AS (
    SELECT
        import_country,
        origin_country,
        hs6,
        arrival_date,
        shipment_id,
        weight_kg,
        value_usd
    FROM shipments
    WHERE arrival_date >= $since
        AND arrival_date < $before
        AND hs6 NOT IN (SELECT hs6 FROM controlled)
)

SELECT * FROM final
ORDER BY import_country, origin_country, hs6, arrival_date, shipment_id;
