-- A failed sign-in, counted towards the name's lockout.
INSERT INTO sign_in_failures (username, failed_at)
VALUES ($username, $failed_at);
