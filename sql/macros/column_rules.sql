-- The column rules of the ingest contracts, one macro per rule; ingest/problem_rows_*.sql
-- apply them column by column. Each gives the column's problem in a row (reason code,
-- column, the value as the file gave it, the message in words), or null when the row
-- keeps the rule.
--
-- Arguments: `column_name` as the contract names it; `text` the field as the file gave it,
-- trimmed, null when empty; `value` what staging made of it, null when it could not. An
-- empty field is missing_value in a column with `required := true`, the message saying
-- what was expected (`when_empty`), and keeps every rule of an optional column.
--
-- Macros expand where they are called, so the checks cost what the same CASE written out
-- would.

CREATE OR REPLACE TEMP MACRO problem(reason, column_name, bad_value, message) AS {
    'reason': reason,
    'column_name': column_name,
    'bad_value': bad_value::VARCHAR,
    'message': message
};

CREATE OR REPLACE TEMP MACRO missing_problem(column_name, when_empty) AS
    problem('missing_value', column_name, NULL, column_name || ' is empty; ' || when_empty);

CREATE OR REPLACE TEMP MACRO not_a_number_problem(column_name, text) AS
    problem('bad_number', column_name, text, column_name || ' ''' || text || ''' is not a number');

-- required: any text (an id).
CREATE OR REPLACE TEMP MACRO required_rule(column_name, text, when_empty) AS
    CASE WHEN text IS NULL THEN missing_problem(column_name, when_empty) END;

-- date: YYYY-MM-DD.
CREATE OR REPLACE TEMP MACRO date_rule(column_name, text, value, required := false) AS
    CASE
        WHEN text IS NULL THEN
            CASE WHEN required THEN missing_problem(column_name, 'expected a date YYYY-MM-DD') END
        WHEN value IS NULL THEN problem(
            'bad_date', column_name, text,
            column_name || ' ''' || text || ''' is not a date YYYY-MM-DD'
        )
    END;

-- period: YYYY or YYYY-MM; `frequency` is null when it is neither.
CREATE OR REPLACE TEMP MACRO period_rule(column_name, text, frequency, required := false) AS
    CASE
        WHEN text IS NULL THEN
            CASE WHEN required THEN missing_problem(column_name, 'expected YYYY or YYYY-MM') END
        WHEN frequency IS NULL THEN problem(
            'bad_period', column_name, text,
            column_name || ' ''' || text || ''' is not YYYY or YYYY-MM'
        )
    END;

-- country: a code or name staging resolved to an alpha-2 code; `known` says which codes
-- and names the column accepts.
CREATE OR REPLACE TEMP MACRO country_rule(
    column_name, text, value, known, required := false, when_empty := NULL
) AS
    CASE
        WHEN text IS NULL THEN
            CASE WHEN required THEN missing_problem(column_name, when_empty) END
        WHEN value IS NULL THEN problem(
            'unknown_country', column_name, text,
            column_name || ' ''' || text || ''' is not a known ' || known
        )
    END;

-- hs code: `value` (dots and spaces removed) matches `pattern`, `digits` in words;
-- `note` follows the message.
CREATE OR REPLACE TEMP MACRO hs_code_rule(
    column_name, text, value, pattern, digits, note := '', required := false
) AS
    CASE
        WHEN text IS NULL THEN
            CASE WHEN required THEN missing_problem(column_name, 'expected ' || digits || ' digits') END
        WHEN NOT regexp_full_match(value, pattern) THEN problem(
            'bad_hs_code', column_name, text,
            column_name || ' ''' || text || ''' is not ' || digits || ' digits' || note
        )
    END;

-- flow: import, export, re-import or re-export, or Comtrade's codes for them.
CREATE OR REPLACE TEMP MACRO flow_rule(column_name, text, value, required := false) AS
    CASE
        WHEN text IS NULL THEN CASE WHEN required THEN missing_problem(
            column_name, 'expected import, export, re-import or re-export'
        ) END
        WHEN value IS NULL THEN problem(
            'bad_flow', column_name, text,
            column_name || ' ''' || text
                || ''' is not import, export, re-import or re-export (or M, X, RM, RX)'
        )
    END;

-- number: anything DuckDB reads as a DOUBLE.
CREATE OR REPLACE TEMP MACRO number_rule(
    column_name, text, value, required := false, when_empty := NULL
) AS
    CASE
        WHEN text IS NULL THEN
            CASE WHEN required THEN missing_problem(column_name, when_empty) END
        WHEN value IS NULL THEN not_a_number_problem(column_name, text)
    END;

-- number > 0: finite and above 0; `reason` is the code for 0 or less.
CREATE OR REPLACE TEMP MACRO positive_number_rule(
    column_name, text, value, reason, required := false, when_empty := NULL
) AS
    CASE
        WHEN text IS NULL THEN
            CASE WHEN required THEN missing_problem(column_name, when_empty) END
        WHEN value IS NULL OR isnan(value) OR isinf(value) THEN
            not_a_number_problem(column_name, text)
        WHEN value <= 0 THEN
            problem(reason, column_name, text, column_name || ' ' || text || ' must be greater than 0')
    END;

-- number >= 0: finite and not negative; `reason` is the code for a negative number.
CREATE OR REPLACE TEMP MACRO non_negative_number_rule(
    column_name, text, value, reason, required := false, when_empty := NULL
) AS
    CASE
        WHEN text IS NULL THEN
            CASE WHEN required THEN missing_problem(column_name, when_empty) END
        WHEN value IS NULL OR isnan(value) OR isinf(value) THEN
            not_a_number_problem(column_name, text)
        WHEN value < 0 THEN
            problem(reason, column_name, text, column_name || ' ' || text || ' must not be negative')
    END;
