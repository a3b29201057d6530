-- Failed sign-ins for one name since a time.
SELECT count(*) AS failures
FROM sign_in_failures
WHERE username = $username AND failed_at > $since;
