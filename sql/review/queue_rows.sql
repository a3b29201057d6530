-- The chosen flags with their shipment and latest decision, for the queue, a flag page or
-- an export; ranked as the queue ranks them. A shipment flag carries what the learned part
-- did to its score (its score without it, the learned model) and whether it was chosen for
-- learning, from the run that scored it. When the rules change, the same shipment or
-- corridor is flagged again under a new id: the latest decision on any earlier flag of it
-- comes along, so no analyst has to decide it twice unknowingly.
WITH chosen AS (
    SELECT *
    FROM flags
    WHERE flag_id IN (SELECT unnest($flag_ids::VARCHAR[]))
),

latest_decision AS (
    SELECT flag_id, analyst AS decided_by, decided_at, note AS decision_note
    FROM decisions
    WHERE flag_id IN (SELECT flag_id FROM chosen)
    QUALIFY row_number() OVER (PARTITION BY flag_id ORDER BY decision_id DESC) = 1
),

same_subject AS (
    SELECT c.flag_id, other.flag_id AS other_id, other.detector_version AS other_version
    FROM chosen AS c
    INNER JOIN flags AS other
        ON other.shipment_id = c.shipment_id AND other.flag_id <> c.flag_id
    WHERE c.level = 'shipment'
    UNION ALL
    SELECT c.flag_id, other.flag_id AS other_id, other.detector_version AS other_version
    FROM chosen AS c
    INNER JOIN flags AS other
        ON other.level = 'corridor'
        AND other.basis = c.basis
        AND other.import_country = c.import_country
        AND other.origin_country = c.origin_country
        AND other.hs6 = c.hs6
        AND other.period = c.period
        AND other.flag_id <> c.flag_id
    WHERE c.level = 'corridor'
),

earlier_decision AS (
    SELECT
        s.flag_id,
        d.new_status AS earlier_status,
        d.analyst AS earlier_by,
        d.decided_at AS earlier_at,
        d.note AS earlier_note,
        s.other_id AS earlier_flag_id,
        s.other_version AS earlier_version
    FROM same_subject AS s
    INNER JOIN decisions AS d ON d.flag_id = s.other_id
    QUALIFY row_number() OVER (PARTITION BY s.flag_id ORDER BY d.decision_id DESC) = 1
),

final AS (
    SELECT
        c.flag_id,
        c.level,
        c.basis,
        c.shipment_id,
        c.flag_date,
        c.period,
        c.import_country,
        coalesce(importer_names.name, importing.name, c.import_country)
            AS import_country_name,
        importer_names.adjective AS import_country_adjective,
        c.origin_country,
        origin.name AS origin_name,
        s.export_country,
        c.hs_code,
        c.hs6,
        c.material,
        s.importer,
        s.exporter,
        s.description,
        s.weight_kg,
        s.value_usd,
        s.transport_mode,
        s.port_of_lading,
        s.port_of_unlading,
        s.quantity,
        s.quantity_unit,
        c.score,
        c.severity,
        c.status,
        c.detectors,
        c.contributions,
        c.reasons,
        c.detector_version,
        c.run_id,
        c.first_flagged_at,
        c.updated_at,
        d.decided_by,
        d.decided_at,
        d.decision_note,
        e.earlier_status,
        e.earlier_by,
        e.earlier_at,
        e.earlier_note,
        e.earlier_flag_id,
        e.earlier_version,
        ss.base_score,
        ss.learned,
        ss.learned_weight,
        ss.learned_model,
        ss.chosen_for_learning,
        lm.note AS learned_note
    FROM chosen AS c
    LEFT JOIN shipments AS s ON s.shipment_id = c.shipment_id
    LEFT JOIN ref_countries AS origin ON origin.code = c.origin_country
    LEFT JOIN ref_importers AS importer_names ON importer_names.code = c.import_country
    LEFT JOIN ref_countries AS importing ON importing.code = c.import_country
    LEFT JOIN latest_decision AS d ON d.flag_id = c.flag_id
    LEFT JOIN earlier_decision AS e ON e.flag_id = c.flag_id
    LEFT JOIN shipment_scores AS ss
        ON ss.shipment_id = c.shipment_id AND ss.detector_version = c.detector_version
    LEFT JOIN learned_models AS lm ON lm.model_id = ss.learned_model
    ORDER BY c.score DESC, c.flag_date DESC, c.flag_id
)

SELECT * FROM final
