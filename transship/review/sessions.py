"""Sign-in sessions: a random token in an HttpOnly cookie, its hash in the store, an
expiry, and the CSRF token every form of that session must return."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

from transship.review.users import User
from transship.storage.sql import load


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str
    expires_at: datetime


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(con: duckdb.DuckDBPyConnection, user: User, hours: float) -> str:
    """A new session for ``user``; returns the token for the cookie. Expired sessions of
    everyone are swept here, so the table stays small without a cleaning job."""
    token = secrets.token_urlsafe(32)
    now = datetime.now()
    con.begin()
    con.execute(load("accounts/delete_expired_sessions"), {"now": now})
    con.execute(
        load("accounts/insert_session"),
        {
            "token_hash": _token_hash(token),
            "username": user.username,
            "csrf_token": secrets.token_urlsafe(32),
            "created_at": now,
            "expires_at": now + timedelta(hours=hours),
        },
    )
    con.commit()
    return token


def current_session(con: duckdb.DuckDBPyConnection, token: str | None) -> Session | None:
    """The live session behind a cookie token: unexpired, and its account still active."""
    if not token:
        return None
    rows = con.execute(
        load("accounts/current_session"), {"token_hash": _token_hash(token), "now": datetime.now()}
    ).fetchall()
    if not rows:
        return None
    username, role, csrf_token, expires_at = rows[0]
    return Session(User(username, role), csrf_token, expires_at)


def csrf_matches(session: Session, submitted: str | None) -> bool:
    return submitted is not None and hmac.compare_digest(session.csrf_token, submitted)


def end_session(con: duckdb.DuckDBPyConnection, token: str) -> None:
    con.execute(load("accounts/end_session"), {"token_hash": _token_hash(token)}).fetchall()
