-- Where a reference table's rows come from and how recent they are.
INSERT OR REPLACE INTO ref_sources VALUES ($ref_table, $source, $as_of);
