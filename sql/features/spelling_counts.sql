-- Each trader spelling's shipments per day up to $until, those before $exact_from summed
-- into one row on the spelling's last day before it: enough to name every entity by its
-- most used spelling as of any day from $exact_from on.
WITH named AS (
    SELECT 'exporter' AS role, exporter AS alias, arrival_date
    FROM shipments
    WHERE exporter IS NOT NULL AND arrival_date <= $until
    UNION ALL
    SELECT 'importer' AS role, importer AS alias, arrival_date
    FROM shipments
    WHERE importer IS NOT NULL AND arrival_date <= $until
),

earlier AS (
    SELECT role, alias, max(arrival_date) AS day, count(*) AS shipments
    FROM named
    WHERE arrival_date < $exact_from
    GROUP BY role, alias
),

recent AS (
    SELECT role, alias, arrival_date AS day, count(*) AS shipments
    FROM named
    WHERE arrival_date >= $exact_from
    GROUP BY role, alias, arrival_date
),

final AS (
    SELECT * FROM earlier
    UNION ALL
    SELECT * FROM recent
)

SELECT * FROM final
