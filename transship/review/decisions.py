"""Recording analysts' decisions on flags, and the append-only log they leave.

A decision attaches to the flag's id, which depends only on what is flagged and the
detector version, so reruns and backfills update the flag's score but never its status.
The one exception is documented in rules.toml ``[review] reopen_margin``: a dismissed flag
that a rerun scores that many points higher reopens, with the reason in the log
(``transship.run.reopen``).
"""

from __future__ import annotations

import duckdb
import polars as pl

from transship.errors import ReviewError, UnknownFlagError
from transship.review.users import User
from transship.storage.sql import load, sql_frame

ACTIONS = {"confirm": "confirmed", "dismiss": "dismissed", "escalate": "escalated"}
"""What an analyst can decide, and the status each leaves the flag in."""
REOPEN = "reopen"
MAX_NOTE_LENGTH = 4000


def decide(
    con: duckdb.DuckDBPyConnection,
    flag_ids: list[str],
    action: str,
    note: str,
    analyst: User,
) -> int:
    """Record one decision on each flag, all or none; returns how many were recorded.

    Every decision needs a note: the log is what a case file cites. Reopening a decided
    flag is for admins.
    """
    if action == REOPEN:
        if not analyst.is_admin:
            raise ReviewError("only an admin can reopen a decided flag")
        new_status = "open"
    elif action in ACTIONS:
        new_status = ACTIONS[action]
    else:
        choices = ", ".join([*ACTIONS, REOPEN])
        raise ReviewError(f"unknown decision {action!r}; use one of {choices}")
    note = note.strip()
    if not note:
        raise ReviewError("a decision needs a note saying why")
    if len(note) > MAX_NOTE_LENGTH:
        raise ReviewError(f"the note is {len(note)} characters; keep it under {MAX_NOTE_LENGTH}")
    wanted = sorted(set(flag_ids))
    if not wanted:
        raise ReviewError("no flags chosen")
    found = {
        row[0] for row in con.execute(load("flags/known_flag_ids"), {"flag_ids": wanted}).fetchall()
    }
    missing = [flag_id for flag_id in wanted if flag_id not in found]
    if missing:
        raise UnknownFlagError(f"no flag {', '.join(missing)} in the store; nothing recorded")
    con.begin()
    try:
        con.execute(
            load("review/insert_decisions"),
            {
                "flag_ids": wanted,
                "action": action,
                "new_status": new_status,
                "note": note,
                "analyst": analyst.username,
            },
        ).fetchall()
        con.execute(load("flags/sync_flag_status")).fetchall()
        con.commit()
    except Exception:
        con.rollback()
        raise
    return len(wanted)


def decision_log(
    con: duckdb.DuckDBPyConnection,
    flag_id: str | None = None,
    analyst: str | None = None,
    limit: int | None = None,
) -> pl.DataFrame:
    """Who changed what, from which status to which, and why; newest first."""
    return sql_frame(
        con,
        load("review/decision_log"),
        {"flag_id": flag_id, "analyst": analyst, "limit": limit if limit is not None else 2**62},
    )
