-- A new, active account.
INSERT INTO users (username, role, password_hash, active, created_at)
VALUES ($username, $role, $password_hash, true, now()::TIMESTAMP);
