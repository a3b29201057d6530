SELECT 'shipments' AS table_name, count(*) AS row_count,
    min(arrival_date)::VARCHAR AS first_period, max(arrival_date)::VARCHAR AS last_period
FROM shipments
UNION ALL
SELECT 'trade_flows', count(*), min(period), max(period) FROM trade_flows
UNION ALL
SELECT 'quarantine', count(*), NULL, NULL FROM quarantine
UNION ALL
SELECT 'ingest_batches', count(*), min(started_at)::VARCHAR, max(finished_at)::VARCHAR
FROM ingest_batches
