-- Failed sign-ins, so that guessing passwords is slowed to a few tries per quarter hour.
-- Unknown names are recorded too: a lockout must not reveal which names exist.
CREATE TABLE sign_in_failures (
    username VARCHAR NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
