-- A new session: the token's hash, never the token.
INSERT INTO sessions (token_hash, username, csrf_token, created_at, expires_at)
VALUES ($token_hash, $username, $csrf_token, $created_at, $expires_at);
