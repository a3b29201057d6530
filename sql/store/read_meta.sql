-- One value of the store's metadata (schema_version, reference_version, import_country).
SELECT value
FROM store_meta
WHERE key = $key;
