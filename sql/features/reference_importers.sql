-- How sentences name common importing countries ('Korean imports', 'imports into ...').
SELECT code, adjective, name
FROM ref_importers;
