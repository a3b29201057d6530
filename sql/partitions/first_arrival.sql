-- The day the first stored shipment arrived (NULL in an empty store).
WITH final AS (
    SELECT min(arrival_date) AS first_arrival
    FROM shipments
)

SELECT * FROM final
