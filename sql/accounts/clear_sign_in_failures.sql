-- After a good sign-in: that name's failures, and everyone's too old to count.
DELETE FROM sign_in_failures
WHERE username = $username OR failed_at < $before;
