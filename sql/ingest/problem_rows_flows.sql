-- Every rule of the trade-flow contract as a list of problems per row, kept for the rows
-- that have any (the rest load straight from the staging view). Exact duplicate
-- rows (common in Comtrade extracts) are counted once: the first is loaded, the rest
-- are quarantined as duplicates, so rows in = loaded + quarantined still holds.
-- Rows with the same key but other values are either conflicts (kept: the first) or,
-- in publishers' extracts that dropped breakdown columns such as mode of transport,
-- a total and its parts (kept: the largest, which is the total).
CREATE OR REPLACE TEMP TABLE problem_rows AS
WITH staged AS (
    SELECT
        *,
        row_number() OVER flow_key AS occurrence,
        first(source_line) OVER flow_key AS first_line,
        count(*) OVER flow_key AS key_rows,
        first(value_usd) OVER flow_key IS NOT DISTINCT FROM value_usd
            AND first(weight_kg) OVER flow_key IS NOT DISTINCT FROM weight_kg AS same_as_first
    FROM stg_trade_flows
    WINDOW flow_key AS (
        PARTITION BY period, reporter, partner, flow, hs6
        ORDER BY CASE WHEN $keep = 'largest' THEN value_usd END DESC NULLS LAST, record_no
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
    )
),

against_store AS (
    SELECT
        staged.*,
        stored.batch_id AS stored_batch_id
    FROM staged
    LEFT JOIN trade_flows AS stored
        ON stored.source = $source
        AND stored.period = staged.period
        AND stored.reporter = staged.reporter
        AND stored.partner = staged.partner
        AND stored.flow = staged.flow
        AND stored.hs6 = staged.hs6
),

-- One column per rule (sql/macros/column_rules.sql): its problem in words, or null when
-- the row keeps the rule.
rule_checks AS (
    SELECT
        record_no,
        source_line,
        period_rule('period', period, frequency, required := true) AS period_problem,
        country_rule(
            'reporter', reporter_text, reporter, $country_expectation,
            required := true, when_empty := 'expected a country'
        ) AS reporter_problem,
        country_rule(
            'partner', partner_text, partner, $country_expectation,
            required := true, when_empty := 'expected a country'
        ) AS partner_problem,
        flow_rule('flow', flow_text, flow, required := true) AS flow_problem,
        hs_code_rule('hs6', hs6, hs6, '[0-9]{6}', '6', required := true) AS hs6_problem,
        non_negative_number_rule(
            'value_usd', value_text, value_usd, 'negative_value',
            required := true, when_empty := 'expected a number of US dollars, 0 or more'
        ) AS value_problem,
        non_negative_number_rule(
            'weight_kg', weight_text, weight_kg, 'negative_weight'
        ) AS weight_problem,
        CASE
            WHEN occurrence > 1 AND same_as_first THEN problem(
                'exact_duplicate', NULL, NULL,
                'repeats line ' || first_line || ' exactly; counted once'
            )
            WHEN occurrence > 1 AND $keep = 'largest' THEN problem(
                'breakdown_row', NULL, NULL,
                'one of ' || key_rows || ' rows for this period, reporter, partner, '
                    || 'flow and hs6 that differ only in breakdowns the file does not carry '
                    || '(mode of transport, customs procedure); the largest, the total, on line '
                    || first_line || ' was loaded'
            )
            WHEN occurrence > 1 THEN problem(
                'conflicting_duplicate', NULL, NULL,
                'same period, reporter, partner, flow and hs6 as line ' || first_line
                    || ' but different value or weight; the first was loaded'
            )
        END AS repeated_key_problem,
        CASE WHEN occurrence = 1 AND stored_batch_id IS NOT NULL THEN problem(
            'duplicate_key', NULL, NULL,
            'this flow is already in the store from batch ' || stored_batch_id
                || '; stored flows are never overwritten'
        ) END AS stored_key_problem
    FROM against_store
),

-- Lists only for the rows breaking a rule, as for shipments.
problems AS (
    SELECT
        record_no,
        source_line,
        list_filter(
            [
                period_problem, reporter_problem, partner_problem, flow_problem, hs6_problem,
                value_problem, weight_problem, repeated_key_problem, stored_key_problem
            ],
            lambda problem: problem IS NOT NULL
        ) AS problems
    FROM rule_checks
    WHERE coalesce(
        period_problem, reporter_problem, partner_problem, flow_problem, hs6_problem,
        value_problem, weight_problem, repeated_key_problem, stored_key_problem
    ) IS NOT NULL
),

final AS (
    SELECT record_no, source_line, problems FROM problems
)

SELECT * FROM final;
