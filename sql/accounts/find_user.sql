-- One account by name, active or not (no row when there is none).
SELECT role, password_hash, active
FROM users
WHERE username = $username;
