-- The outcomes of imported_labels (shipment_id, positive, decided_at or null): each counts
-- from its decided_at, else from the shipment's arrival plus the lag. An outcome already
-- recorded for the shipment with the same value and date is not recorded again.
INSERT INTO inspection_outcomes BY NAME
WITH given AS (
    SELECT
        l.shipment_id,
        l.positive,
        coalesce(l.decided_at, s.arrival_date + to_days($lag_days::INTEGER)) AS counts_from
    FROM imported_labels AS l
    INNER JOIN shipments AS s USING (shipment_id)
),

fresh AS (
    SELECT * FROM given
    ANTI JOIN inspection_outcomes AS o
        ON o.shipment_id = given.shipment_id
        AND o.positive = given.positive
        AND o.counts_from = given.counts_from
),

final AS (
    SELECT
        nextval('decision_ids') AS outcome_id,
        shipment_id,
        positive,
        counts_from::DATE AS counts_from,
        $analyst AS analyst,
        $note AS note,
        $source_file AS source_file,
        now()::TIMESTAMP AS imported_at
    FROM fresh
    ORDER BY shipment_id
)

SELECT * FROM final
