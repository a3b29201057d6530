-- Runs still marked running when a new run starts were killed: only one process can
-- write to the store, and it is the one starting now.
UPDATE runs SET
    status = 'failed',
    finished_at = now()::TIMESTAMP,
    error = 'abandoned: the process stopped before the run finished'
WHERE status = 'running'
