-- The shipments a build over recent history reads: all from $rows_from to $until, and
-- the controlled codes' from $since (older ones, and the uncontrolled codes' before
-- $rows_from, reach it only as aggregates: earlier_first_seen, earlier_importer_origins,
-- uncontrolled_shipments' totals).
-- Rows before $exact_from are context for the later rows' features: they leave out the
-- columns only a shipment's own features read (ports, transport mode, the full code),
-- and the description unless the code is controlled (prices and capacity of controlled
-- codes read which material it names).
WITH controlled AS (
    SELECT hs6 FROM ref_controlled_codes
),

final AS (
    SELECT
        shipment_id,
        arrival_date,
        import_country,
        importer,
        exporter,
        origin_country,
        export_country,
        CASE WHEN arrival_date >= $exact_from THEN port_of_lading END AS port_of_lading,
        CASE WHEN arrival_date >= $exact_from THEN port_of_unlading END AS port_of_unlading,
        CASE WHEN arrival_date >= $exact_from THEN hs_code END AS hs_code,
        hs6,
        CASE
            WHEN arrival_date >= $exact_from OR hs6 IN (SELECT hs6 FROM controlled)
                THEN description
        END AS description,
        weight_kg,
        value_usd,
        CASE WHEN arrival_date >= $exact_from THEN transport_mode END AS transport_mode
    FROM shipments
    WHERE arrival_date BETWEEN $since AND $until
        AND (arrival_date >= $rows_from OR hs6 IN (SELECT hs6 FROM controlled))
)

-- In no order: the feature build sorts them.
SELECT * FROM final
