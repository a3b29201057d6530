-- One file's working tables and views: its text, its numbering, its refused lines and
-- its problems.
DROP VIEW IF EXISTS raw_input;

DROP TABLE IF EXISTS raw_text;

DROP TABLE IF EXISTS raw_rejects;

DROP TABLE IF EXISTS problem_rows;
