-- Sessions of everyone that expired before now.
DELETE FROM sessions
WHERE expires_at < $now;
