-- End one session, signing its user out.
DELETE FROM sessions
WHERE token_hash = $token_hash;
