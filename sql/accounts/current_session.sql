-- The live session behind a token's hash: unexpired, and its account still active.
SELECT users.username, users.role, sessions.csrf_token, sessions.expires_at
FROM sessions
INNER JOIN users USING (username)
WHERE sessions.token_hash = $token_hash AND sessions.expires_at > $now AND users.active;
