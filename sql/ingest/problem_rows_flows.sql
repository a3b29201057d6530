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

problems AS (
    SELECT
        *,
        list_filter([
            CASE WHEN period IS NULL THEN {
                'reason': 'missing_value', 'column_name': 'period', 'bad_value': NULL,
                'message': 'period is empty; expected YYYY or YYYY-MM'}
            WHEN frequency IS NULL THEN {
                'reason': 'bad_period', 'column_name': 'period', 'bad_value': period,
                'message': 'period ''' || period || ''' is not YYYY or YYYY-MM'} END,
            CASE WHEN reporter_text IS NULL THEN {
                'reason': 'missing_value', 'column_name': 'reporter', 'bad_value': NULL,
                'message': 'reporter is empty; expected a country'}
            WHEN reporter IS NULL THEN {
                'reason': 'unknown_country', 'column_name': 'reporter', 'bad_value': reporter_text,
                'message': 'reporter ''' || reporter_text || ''' is not a known '
                    || $country_expectation} END,
            CASE WHEN partner_text IS NULL THEN {
                'reason': 'missing_value', 'column_name': 'partner', 'bad_value': NULL,
                'message': 'partner is empty; expected a country'}
            WHEN partner IS NULL THEN {
                'reason': 'unknown_country', 'column_name': 'partner', 'bad_value': partner_text,
                'message': 'partner ''' || partner_text || ''' is not a known '
                    || $country_expectation} END,
            CASE WHEN flow_text IS NULL THEN {
                'reason': 'missing_value', 'column_name': 'flow', 'bad_value': NULL,
                'message': 'flow is empty; expected import, export, re-import or re-export'}
            WHEN flow IS NULL THEN {
                'reason': 'bad_flow', 'column_name': 'flow', 'bad_value': flow_text,
                'message': 'flow ''' || flow_text
                    || ''' is not import, export, re-import or re-export (or M, X, RM, RX)'} END,
            CASE WHEN hs6 IS NULL THEN {
                'reason': 'missing_value', 'column_name': 'hs6', 'bad_value': NULL,
                'message': 'hs6 is empty; expected 6 digits'}
            WHEN NOT regexp_full_match(hs6, '[0-9]{6}') THEN {
                'reason': 'bad_hs_code', 'column_name': 'hs6', 'bad_value': hs6,
                'message': 'hs6 ''' || hs6 || ''' is not 6 digits'} END,
            CASE WHEN value_text IS NULL THEN {
                'reason': 'missing_value', 'column_name': 'value_usd', 'bad_value': NULL,
                'message': 'value_usd is empty; expected a number of US dollars, 0 or more'}
            WHEN value_usd IS NULL OR isnan(value_usd) OR isinf(value_usd) THEN {
                'reason': 'bad_number', 'column_name': 'value_usd', 'bad_value': value_text,
                'message': 'value_usd ''' || value_text || ''' is not a number'}
            WHEN value_usd < 0 THEN {
                'reason': 'negative_value', 'column_name': 'value_usd', 'bad_value': value_text,
                'message': 'value_usd ' || value_text || ' must not be negative'} END,
            CASE WHEN weight_text IS NOT NULL
                AND (weight_kg IS NULL OR isnan(weight_kg) OR isinf(weight_kg)) THEN {
                'reason': 'bad_number', 'column_name': 'weight_kg', 'bad_value': weight_text,
                'message': 'weight_kg ''' || weight_text || ''' is not a number'}
            WHEN weight_kg < 0 THEN {
                'reason': 'negative_weight', 'column_name': 'weight_kg', 'bad_value': weight_text,
                'message': 'weight_kg ' || weight_text || ' must not be negative'} END,
            CASE WHEN occurrence > 1 AND same_as_first THEN {
                'reason': 'exact_duplicate', 'column_name': NULL, 'bad_value': NULL,
                'message': 'repeats line ' || first_line || ' exactly; counted once'}
            WHEN occurrence > 1 AND $keep = 'largest' THEN {
                'reason': 'breakdown_row', 'column_name': NULL, 'bad_value': NULL,
                'message': 'one of ' || key_rows || ' rows for this period, reporter, partner, '
                    || 'flow and hs6 that differ only in breakdowns the file does not carry '
                    || '(mode of transport, customs procedure); the largest, the total, on line '
                    || first_line || ' was loaded'}
            WHEN occurrence > 1 THEN {
                'reason': 'conflicting_duplicate', 'column_name': NULL, 'bad_value': NULL,
                'message': 'same period, reporter, partner, flow and hs6 as line ' || first_line
                    || ' but different value or weight; the first was loaded'} END,
            CASE WHEN occurrence = 1 AND stored_batch_id IS NOT NULL THEN {
                'reason': 'duplicate_key', 'column_name': NULL, 'bad_value': NULL,
                'message': 'this flow is already in the store from batch ' || stored_batch_id
                    || '; stored flows are never overwritten'} END
        ], lambda problem: problem IS NOT NULL) AS problems
    FROM against_store
),

final AS (
    SELECT record_no, source_line, problems FROM problems WHERE len(problems) > 0
)

SELECT * FROM final;
