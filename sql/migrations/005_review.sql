-- Analyst review: accounts, sign-in sessions, and the append-only log of decisions.
-- A flag's status is its latest decision; the log keeps every earlier one.

CREATE TABLE users (
    username VARCHAR PRIMARY KEY,
    role VARCHAR NOT NULL CHECK (role IN ('analyst', 'admin')),
    password_hash VARCHAR NOT NULL,
    active BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMP NOT NULL
);

-- Only a hash of the session token is stored, so a copy of the store cannot sign anyone in.
CREATE TABLE sessions (
    token_hash VARCHAR PRIMARY KEY,
    username VARCHAR NOT NULL,
    csrf_token VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE decision_ids START 1;

-- Rows are only ever inserted. 'transship' as analyst marks the documented automatic
-- reopening of a dismissed flag whose score rose by the review margin.
CREATE TABLE decisions (
    decision_id BIGINT PRIMARY KEY,
    flag_id VARCHAR NOT NULL,
    action VARCHAR NOT NULL CHECK (action IN ('confirm', 'dismiss', 'escalate', 'reopen')),
    previous_status VARCHAR NOT NULL,
    new_status VARCHAR NOT NULL,
    score DOUBLE NOT NULL,
    note VARCHAR NOT NULL,
    analyst VARCHAR NOT NULL,
    decided_at TIMESTAMP NOT NULL
);
