-- Set one value of the store's metadata.
INSERT OR REPLACE INTO store_meta VALUES ($key, $value);
