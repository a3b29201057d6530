-- A text field without its surrounding spaces, or null when nothing is left. Most fields
-- have no surrounding spaces: checking the ends first costs about half of calling trim()
-- on every field (measured over the 15 columns of a 1M-row file).
CREATE OR REPLACE TEMP MACRO text_or_null(value) AS nullif(
    CASE WHEN starts_with(value, ' ') OR ends_with(value, ' ') THEN trim(value) ELSE value END,
    ''
);
