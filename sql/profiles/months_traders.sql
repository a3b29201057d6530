-- The trader summaries of the shipments of the months $first to $last (monthly_traders):
-- per importing country x exporter x importer x origin x month, unnamed traders included,
-- the shipments, their weight and the first and last arrival. The same rows as
-- features.profiles.trader_months, summed here in the store: the rows never leave it,
-- and its hash aggregate is several times cheaper than building them in polars.
INSERT INTO monthly_traders BY NAME
WITH months AS (
    SELECT
        import_country,
        exporter,
        importer,
        origin_country,
        date_trunc('month', arrival_date)::DATE AS month,
        arrival_date,
        weight_kg
    FROM shipments
    WHERE arrival_date >= $first AND arrival_date < ($last + INTERVAL 1 MONTH)::DATE
),

final AS (
    SELECT
        import_country,
        exporter,
        importer,
        origin_country,
        month,
        count(*) AS shipments,
        sum(weight_kg) AS weight_kg,
        min(arrival_date) AS first_seen,
        max(arrival_date) AS last_seen
    FROM months
    GROUP BY import_country, exporter, importer, origin_country, month
)

SELECT * FROM final;
