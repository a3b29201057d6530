-- Deactivate or reactivate an account.
UPDATE users
SET active = $active
WHERE username = $username;
