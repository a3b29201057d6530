-- Every account, by name.
SELECT username, role, active, created_at
FROM users
ORDER BY username;
