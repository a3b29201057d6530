-- One file's working tables and views: its text, its numbering, its refused lines, its
-- problems and the lines it loaded.
DROP VIEW IF EXISTS raw_input;

DROP TABLE IF EXISTS raw_text;

DROP TABLE IF EXISTS raw_rejects;

DROP TABLE IF EXISTS problem_rows;

DROP TABLE IF EXISTS attribute_problems;

DROP TABLE IF EXISTS loaded_lines;

DROP TABLE IF EXISTS repeated_ids;
