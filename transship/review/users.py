"""Analyst accounts: scrypt-hashed passwords and roles, kept in the store."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import duckdb
import polars as pl

from transship.errors import AuthenticationError, UserError
from transship.storage.sql import load, scalar, sql_frame

ROLES = ("analyst", "admin")
SYSTEM_ANALYST = "transship"
"""The name automatic decisions are logged under; no account may take it."""

MIN_PASSWORD_LENGTH = 12
MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
"""After this many failed sign-ins for one name within LOCKOUT, that name is refused until
the oldest of them is LOCKOUT old."""
_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,39}$")
# scrypt at n=2**14, r=8 costs about 16 MB and tens of milliseconds per guess.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@dataclass(frozen=True)
class User:
    username: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(
        password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(candidate, bytes.fromhex(digest))


def add_user(
    con: duckdb.DuckDBPyConnection, username: str, password: str, role: str = "analyst"
) -> User:
    """Create an account; names are lower-case and unique, passwords at least 12 characters."""
    if not _USERNAME.match(username):
        raise UserError(
            f"user name {username!r} must be 2-40 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter"
        )
    if username == SYSTEM_ANALYST:
        raise UserError(f"{SYSTEM_ANALYST!r} is reserved for automatic decisions")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    _check_password(password)
    if con.execute(load("accounts/find_user"), {"username": username}).fetchall():
        raise UserError(f"user {username!r} already exists")
    con.execute(
        load("accounts/insert_user"),
        {"username": username, "role": role, "password_hash": hash_password(password)},
    ).fetchall()
    return User(username, role)


def set_password(con: duckdb.DuckDBPyConnection, username: str, password: str) -> None:
    """Replace an account's password; its sessions end, so a leaked one stops working."""
    find_user(con, username)
    _check_password(password)
    con.begin()
    con.execute(
        load("accounts/set_password"),
        {"username": username, "password_hash": hash_password(password)},
    )
    con.execute(load("accounts/end_user_sessions"), {"username": username})
    con.commit()


def change_password(con: duckdb.DuckDBPyConnection, username: str, current: str, new: str) -> None:
    """A user's own change: the current password must be right (a wrong one counts as a
    failed sign-in, so a left-open session cannot be used to guess it); every session of
    the account ends, this one too."""
    _check_password(new)
    authenticate(con, username, current)
    set_password(con, username, new)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")


def set_active(con: duckdb.DuckDBPyConnection, username: str, active: bool) -> None:
    """Deactivate (or reactivate) an account; its sessions end. Accounts are never deleted
    because the decision log names them."""
    find_user(con, username)
    con.begin()
    con.execute(load("accounts/set_active"), {"username": username, "active": active})
    con.execute(load("accounts/end_user_sessions"), {"username": username})
    con.commit()


def find_user(con: duckdb.DuckDBPyConnection, username: str) -> User:
    """An active account, or a UserError naming the problem."""
    rows = con.execute(load("accounts/find_user"), {"username": username}).fetchall()
    if not rows:
        raise UserError(f"no user {username!r}: add one with `transship users add {username}`")
    role, _, active = rows[0]
    if not active:
        raise UserError(f"user {username!r} is deactivated")
    return User(username, role)


class SignInLocked(AuthenticationError):
    """Too many failed sign-ins for one name lately."""


def authenticate(con: duckdb.DuckDBPyConnection, username: str, password: str) -> User:
    """The account if the password is right. The same message for every failure, so a
    sign-in page does not reveal which names exist; after MAX_FAILED_SIGN_INS failures
    within LOCKOUT a name is refused even with the right password."""
    now = datetime.now()
    recent_failures = scalar(
        con,
        load("accounts/recent_sign_in_failures"),
        {"username": username, "since": now - LOCKOUT},
    )
    if recent_failures >= MAX_FAILED_SIGN_INS:
        raise SignInLocked(
            f"too many failed sign-ins for this name; try again in "
            f"{int(LOCKOUT.total_seconds() // 60)} minutes"
        )
    rows = con.execute(load("accounts/find_user"), {"username": username}).fetchall()
    # Verify even for unknown names so the response time does not reveal them either.
    stored = rows[0][1] if rows else _decoy_hash()
    if not verify_password(password, stored) or not rows or not rows[0][2]:
        con.execute(
            load("accounts/record_sign_in_failure"), {"username": username, "failed_at": now}
        ).fetchall()
        raise AuthenticationError("unknown user name or wrong password")
    con.execute(
        load("accounts/clear_sign_in_failures"), {"username": username, "before": now - LOCKOUT}
    ).fetchall()
    return User(username, rows[0][0])


@cache
def _decoy_hash() -> str:
    return hash_password(secrets.token_hex(16))


def list_users(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return sql_frame(con, load("accounts/list_users"))
