-- The file's text and refused lines, dropped before it is read again in another encoding.
DROP TABLE raw_text;

DELETE FROM raw_rejects;
