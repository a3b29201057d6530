-- End every session of one account.
DELETE FROM sessions
WHERE username = $username;
