INSERT INTO runs (run_id, kind, parameters, detector_version, status, started_at)
VALUES (nextval('run_ids'), $kind, $parameters, $detector_version, 'running', now()::TIMESTAMP)
RETURNING run_id
