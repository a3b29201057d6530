-- A text field without its surrounding spaces, or null when nothing is left. Most fields
-- have no surrounding spaces, and checking the ends is a third of the cost of trim(),
-- which copies every string it is given.
CREATE OR REPLACE TEMP MACRO text_or_null(value) AS nullif(
    CASE WHEN starts_with(value, ' ') OR ends_with(value, ' ') THEN trim(value) ELSE value END,
    ''
);
