"""Review library: accounts, sessions, the queue, evidence, decisions and the reopen rule."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import polars as pl
import pytest

from tests.conftest import backfill_tiny, count, reflag_under_new_rules
from transship.detectors import DetectorConfig
from transship.errors import AuthenticationError, ReviewError, UnknownFlagError, UserError
from transship.review.chart import Marker, corridor_chart
from transship.review.decisions import decide, decision_log
from transship.review.evidence import contributions, flag_evidence, reason_sentences
from transship.review.filters import FORM_NAMES, OPTION_NAMES, parse_filters
from transship.review.queue import QueueFilters, flag_rows, queue, queue_export
from transship.review.sessions import (
    csrf_matches,
    current_session,
    end_session,
    start_session,
)
from transship.review.users import (
    LOCKOUT,
    MAX_FAILED_SIGN_INS,
    SignInLocked,
    User,
    add_user,
    authenticate,
    find_user,
    hash_password,
    set_active,
    set_password,
    verify_password,
)
from transship.run.reopen import reopen_risen
from transship.storage.checks import run_checks
from transship.storage.sql import load

if TYPE_CHECKING:
    import duckdb

PASSWORD = "correct horse battery"


def top_flags(con: duckdb.DuckDBPyConnection, n: int, level: str = "shipment") -> list[str]:
    rows = con.execute(
        "SELECT flag_id FROM flags WHERE level = ? ORDER BY score DESC, flag_id LIMIT ?",
        [level, n],
    ).fetchall()
    return [row[0] for row in rows]


@pytest.fixture
def analyst(copied_tiny_store: duckdb.DuckDBPyConnection) -> User:
    return add_user(copied_tiny_store, "a.lopez", PASSWORD)


def test_passwords_are_salted_hashes_that_verify() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second and PASSWORD not in first
    assert verify_password(PASSWORD, first) and verify_password(PASSWORD, second)
    assert not verify_password(PASSWORD + "!", first)
    assert not verify_password(PASSWORD, "md5$abc")


def test_accounts_are_checked_and_sign_in_fails_the_same_way_for_every_reason(
    con: duckdb.DuckDBPyConnection,
) -> None:
    add_user(con, "b.okafor", PASSWORD, role="admin")
    assert authenticate(con, "b.okafor", PASSWORD) == User("b.okafor", "admin")
    for name, password in (("b.okafor", "wrong password!"), ("nobody", PASSWORD)):
        with pytest.raises(AuthenticationError, match="unknown user name or wrong password"):
            authenticate(con, name, password)
    for name, password, role, problem in (
        ("b.okafor", PASSWORD, "analyst", "already exists"),
        ("Bad Name", PASSWORD, "analyst", "lower-case"),
        ("c.short", "short", "analyst", "at least 12"),
        ("c.role", PASSWORD, "boss", "unknown role"),
        ("transship", PASSWORD, "analyst", "reserved"),
    ):
        with pytest.raises(UserError, match=problem):
            add_user(con, name, password, role)
    set_active(con, "b.okafor", False)
    with pytest.raises(AuthenticationError):
        authenticate(con, "b.okafor", PASSWORD)
    with pytest.raises(UserError, match="deactivated"):
        find_user(con, "b.okafor")


def test_repeated_failed_sign_ins_lock_the_name_for_a_while(
    con: duckdb.DuckDBPyConnection,
) -> None:
    add_user(con, "a.lopez", PASSWORD)
    for _ in range(MAX_FAILED_SIGN_INS):
        with pytest.raises(AuthenticationError, match="wrong password"):
            authenticate(con, "a.lopez", "a wrong guess!")
    with pytest.raises(SignInLocked, match="too many failed sign-ins"):
        authenticate(con, "a.lopez", PASSWORD)
    # Unknown names lock the same way, so a lockout reveals nothing.
    for _ in range(MAX_FAILED_SIGN_INS):
        with pytest.raises(AuthenticationError):
            authenticate(con, "nobody", PASSWORD)
    with pytest.raises(SignInLocked):
        authenticate(con, "nobody", PASSWORD)
    # Once the failures are older than the lockout, the right password works and clears them.
    con.execute("UPDATE sign_in_failures SET failed_at = failed_at - ?", [LOCKOUT])
    assert authenticate(con, "a.lopez", PASSWORD).username == "a.lopez"
    assert count(con, "SELECT count(*) FROM sign_in_failures WHERE username = 'a.lopez'") == 0


def test_a_new_password_replaces_the_old_and_ends_sessions(
    con: duckdb.DuckDBPyConnection,
) -> None:
    user = add_user(con, "a.lopez", PASSWORD)
    token = start_session(con, user, hours=1)
    set_password(con, "a.lopez", "a much longer passphrase")
    assert current_session(con, token) is None
    assert authenticate(con, "a.lopez", "a much longer passphrase") == user
    with pytest.raises(AuthenticationError):
        authenticate(con, "a.lopez", PASSWORD)
    with pytest.raises(UserError, match="at least 12"):
        set_password(con, "a.lopez", "short")
    with pytest.raises(UserError, match="no user"):
        set_password(con, "nobody", PASSWORD)


def test_sessions_expire_end_and_die_with_their_account(con: duckdb.DuckDBPyConnection) -> None:
    user = add_user(con, "a.lopez", PASSWORD)
    token = start_session(con, user, hours=1)
    session = current_session(con, token)
    assert session is not None and session.user == user
    assert csrf_matches(session, session.csrf_token)
    assert not csrf_matches(session, None) and not csrf_matches(session, "forged")
    assert current_session(con, "not-a-token") is None
    assert count(con, "SELECT count(*) FROM sessions WHERE token_hash = ?", [token]) == 0

    end_session(con, token)
    assert current_session(con, token) is None

    expired = start_session(con, user, hours=-1)
    assert current_session(con, expired) is None
    live = start_session(con, user, hours=1)
    set_active(con, "a.lopez", False)
    assert current_session(con, live) is None


def test_a_decision_sets_status_and_is_logged_with_the_previous_state(
    copied_tiny_store: duckdb.DuckDBPyConnection, analyst: User
) -> None:
    con = copied_tiny_store
    first, second = top_flags(con, 2)
    assert decide(con, [first], "escalate", "Needs the lab report", analyst) == 1
    assert decide(con, [first, second], "confirm", "Smelter invoice from CN", analyst) == 2
    statuses = dict(
        con.execute(
            "SELECT flag_id, status FROM flags WHERE flag_id IN (?, ?)", [first, second]
        ).fetchall()
    )
    assert statuses == {first: "confirmed", second: "confirmed"}
    log = decision_log(con, flag_id=first)
    assert log["previous_status"].to_list() == ["escalated", "open"]
    assert log["new_status"].to_list() == ["confirmed", "escalated"]
    assert log["analyst"].to_list() == ["a.lopez", "a.lopez"]
    assert log["note"].to_list() == ["Smelter invoice from CN", "Needs the lab report"]
    assert run_checks(con) == []


def test_bad_decisions_record_nothing(
    copied_tiny_store: duckdb.DuckDBPyConnection, analyst: User
) -> None:
    con = copied_tiny_store
    (flag,) = top_flags(con, 1)
    for flags, action, note, error, message in (
        ([flag, "Snope"], "confirm", "ok", UnknownFlagError, "Snope"),
        ([flag], "approve", "ok", ReviewError, "unknown decision"),
        ([flag], "dismiss", "   ", ReviewError, "needs a note"),
        ([], "dismiss", "ok", ReviewError, "no flags"),
        ([flag], "reopen", "ok", ReviewError, "only an admin"),
    ):
        with pytest.raises(error, match=message):
            decide(con, flags, action, note, analyst)
    assert count(con, "SELECT count(*) FROM decisions") == 0
    assert count(con, "SELECT count(*) FROM flags WHERE status <> 'open'") == 0


def test_decisions_survive_a_rerun_and_a_backfill_that_no_longer_raises_the_flag(
    copied_tiny_store: duckdb.DuckDBPyConnection, analyst: User
) -> None:
    con = copied_tiny_store
    flags = top_flags(con, 3)
    decide(con, flags[:1], "confirm", "Confirmed with CBP", analyst)
    decide(con, flags[1:2], "dismiss", "Known producer", analyst)
    decide(con, flags[2:], "escalate", "Ask the importer", analyst)
    before = con.execute(
        "SELECT flag_id, status FROM flags WHERE status <> 'open' ORDER BY 1"
    ).fetchall()
    backfill_tiny(con, DetectorConfig.load())
    after = con.execute(
        "SELECT flag_id, status FROM flags WHERE status <> 'open' ORDER BY 1"
    ).fetchall()
    assert after == before
    # A rerun that no longer raises any flag deletes the open ones and keeps every decided one.
    con.register(
        "new_flags",
        pl.DataFrame(
            schema={
                "level": pl.String,
                "shipment_id": pl.String,
                "origin_country": pl.String,
                "hs6": pl.String,
                "period": pl.String,
            }
        ),
    )
    con.execute(
        load("flags/delete_stale_flags"),
        {
            "detector_version": DetectorConfig.load().version,
            "start_date": date(2023, 1, 1),
            "end_date": date(2026, 10, 31),
        },
    )
    con.unregister("new_flags")
    assert (
        count(con, "SELECT count(*) FROM flags WHERE basis = 'shipments' AND status = 'open'") == 0
    )
    assert (
        con.execute(
            "SELECT flag_id, status FROM flags WHERE status <> 'open' ORDER BY 1"
        ).fetchall()
        == before
    )
    assert count(con, "SELECT count(*) FROM decisions") == 3
    assert run_checks(con) == []


def test_a_dismissed_flag_reopens_only_when_its_score_rises_by_the_margin(
    copied_tiny_store: duckdb.DuckDBPyConnection, analyst: User
) -> None:
    con = copied_tiny_store
    low, high = con.execute(
        "SELECT flag_id FROM flags WHERE level = 'shipment' AND score < 70 "
        "ORDER BY score DESC, flag_id LIMIT 2"
    ).fetchall()
    decide(con, [low[0], high[0]], "dismiss", "Routine supplier", analyst)
    run_id = con.execute("SELECT max(run_id) FROM runs").fetchall()[0][0]
    # As if a rerun rescored them: one rises by less than the margin, one by more.
    con.execute(
        "UPDATE flags SET score = score + 14.9, run_id = ? WHERE flag_id = ?", [run_id, low[0]]
    )
    con.execute(
        "UPDATE flags SET score = score + 15.0, run_id = ? WHERE flag_id = ?", [run_id, high[0]]
    )
    reopen_risen(con, run_id, margin=15.0)
    statuses = dict(
        con.execute(
            "SELECT flag_id, status FROM flags WHERE flag_id IN (?, ?)", [low[0], high[0]]
        ).fetchall()
    )
    assert statuses == {low[0]: "dismissed", high[0]: "open"}
    latest = decision_log(con, flag_id=high[0]).row(0, named=True)
    assert latest["analyst"] == "transship" and latest["action"] == "reopen"
    assert "15 points above" in latest["note"] and "a.lopez dismissed it" in latest["note"]
    # Reopened once: the same scores do not log it again.
    reopen_risen(con, run_id, margin=15.0)
    assert decision_log(con, flag_id=high[0]).height == 2


def test_a_rerun_applies_the_reopen_margin_from_the_rules(
    copied_tiny_store: duckdb.DuckDBPyConnection, analyst: User
) -> None:
    con = copied_tiny_store
    (flag,) = top_flags(con, 1)
    decide(con, [flag], "dismiss", "Looks routine", analyst)
    config = DetectorConfig.load()
    backfill_tiny(con, config)
    assert con.execute("SELECT status FROM flags WHERE flag_id = ?", [flag]).fetchall() == [
        ("dismissed",)
    ]
    zero_margin = DetectorConfig(
        config.parameters, config.weights, config.fusion, config.source, {"reopen_margin": 0.0}
    )
    assert zero_margin.version == config.version
    backfill_tiny(con, zero_margin)
    assert con.execute("SELECT status FROM flags WHERE flag_id = ?", [flag]).fetchall() == [
        ("open",)
    ]


def test_the_queue_filters_ranks_pages_and_counts(
    copied_tiny_store: duckdb.DuckDBPyConnection, analyst: User
) -> None:
    con = copied_tiny_store
    everything = queue(con, QueueFilters(status=None), page_size=10_000)
    scores = everything.rows["score"].to_list()
    assert scores == sorted(scores, reverse=True)
    assert everything.matching == count(con, "SELECT count(*) FROM flags")

    (flag,) = top_flags(con, 1)
    decide(con, [flag], "confirm", "ok", analyst)
    open_queue = queue(con, QueueFilters(), page_size=7)
    assert open_queue.by_status["confirmed"] == 1
    assert open_queue.matching == everything.matching - 1
    assert open_queue.rows.height == 7 and open_queue.pages == -(-open_queue.matching // 7)
    last = queue(con, QueueFilters(), page=999, page_size=7)
    assert last.page == last.pages
    assert sum(last.by_severity.values()) == open_queue.matching

    row = everything.rows.row(0, named=True)
    narrowed = QueueFilters(
        status=None,
        material=row["material"],
        origin=row["origin_country"],
        hs_code=row["hs_code"][:4],
        since=row["flag_date"],
        until=row["flag_date"],
        severity=row["severity"],
        detector=row["detectors"].split(",")[0],
        level=row["level"],
    )
    found = queue_export(con, narrowed)
    assert row["flag_id"] in found["flag_id"].to_list()
    assert (found["origin_country"] == row["origin_country"]).all()
    assert all(h.startswith(row["hs_code"][:4]) for h in found["hs_code"])


@pytest.mark.parametrize(
    "filters, message",
    [
        (QueueFilters(status="closed"), "unknown status"),
        (QueueFilters(severity="urgent"), "unknown severity"),
        (QueueFilters(since=date(2025, 2, 1), until=date(2025, 1, 1)), "ends"),
        (QueueFilters(hs_code="81' OR 1=1 --"), "must be digits"),
    ],
)
def test_the_queue_refuses_filters_that_cannot_work(
    tiny_store: object,
    copied_tiny_store: duckdb.DuckDBPyConnection,
    filters: QueueFilters,
    message: str,
) -> None:
    with pytest.raises(ReviewError, match=message):
        queue(copied_tiny_store, filters)


def test_typed_filters_are_cleaned_into_queue_filters() -> None:
    typed = {
        "status": "any",
        "severity": " high ",
        "material": "",
        "origin": " th",
        "hs_code": "8112.92",
        "detector": "   ",
        "level": "shipment",
        "since": "2025-01-01",
        "until": " 2025-06-30 ",
        "page": "2",
    }
    assert parse_filters(typed, FORM_NAMES) == QueueFilters(
        status=None,
        severity="high",
        origin="TH",
        hs_code="811292",
        level="shipment",
        since=date(2025, 1, 1),
        until=date(2025, 6, 30),
    )
    assert parse_filters({}, FORM_NAMES) == QueueFilters(status="open")
    assert parse_filters({"status": ""}, FORM_NAMES).status is None
    assert parse_filters({"status": "escalated", "since": None}, OPTION_NAMES) == QueueFilters(
        status="escalated"
    )


@pytest.mark.parametrize(
    "typed, message",
    [
        ({"status": "closed"}, "unknown status 'closed'; use one of open, confirmed, dismissed,"),
        ({"severity": "urgent"}, "unknown severity 'urgent'; use one of high, medium, low"),
        ({"level": "port"}, "unknown level 'port'; use one of shipment, corridor"),
        ({"hs_code": "81x"}, "HS code filter '81x' must be digits (a prefix is fine)"),
        ({"since": "yesterday"}, "{since} 'yesterday' is not a date like 2025-01-31"),
        ({"until": "2025-02-30"}, "{until} '2025-02-30' is not a date like 2025-01-31"),
        (
            {"since": "2025-02-01", "until": "2025-01-01"},
            "the date range ends (2025-01-01) before it starts (2025-02-01)",
        ),
    ],
)
def test_typed_filters_that_cannot_work_are_refused_by_name(
    typed: dict[str, str], message: str
) -> None:
    for names in (FORM_NAMES, OPTION_NAMES):
        with pytest.raises(ReviewError) as refused:
            parse_filters(typed, names)
        assert str(refused.value).startswith(message.format(**names))


def test_queue_filter_values_are_bound_not_spliced(
    copied_tiny_store: duckdb.DuckDBPyConnection,
) -> None:
    hostile = QueueFilters(
        status=None, origin="TH' OR '1'='1", material="x'); DROP TABLE flags; --"
    )
    assert queue(copied_tiny_store, hostile).matching == 0
    assert count(copied_tiny_store, "SELECT count(*) FROM flags") > 0


def test_evidence_gathers_what_the_flag_page_shows(
    copied_tiny_store: duckdb.DuckDBPyConnection,
) -> None:
    con = copied_tiny_store
    ((flag_id,),) = con.execute(
        "SELECT flag_id FROM flags WHERE level = 'shipment' AND material IS NOT NULL "
        "ORDER BY score DESC, flag_id LIMIT 1"
    ).fetchall()
    evidence = flag_evidence(con, flag_id)
    assert evidence.flag["flag_id"] == flag_id
    assert " ".join(evidence.reasons) == " ".join(evidence.flag["reasons"].split())
    shares = [c.contribution for c in evidence.contributions]
    assert shares == sorted(shares, reverse=True)
    assert set(evidence.flag["detectors"].split(",")) <= {
        c.detector for c in evidence.contributions
    }
    months = evidence.corridor
    assert months["month"].is_sorted() and months["month"].n_unique() == months.height
    corridor_kg = count(
        con,
        "SELECT round(sum(weight_kg)) FROM shipments WHERE origin_country = ? AND hs6 = ?",
        [evidence.flag["origin_country"], evidence.flag["hs6"]],
    )
    assert round(months["weight_kg"].sum()) == corridor_kg
    assert evidence.controls, "a controlled material's flag shows its control dates"
    assert evidence.exporter_shipments.height > 0
    with pytest.raises(UnknownFlagError):
        flag_evidence(con, "Snope")


def test_reasons_split_into_sentences_without_breaking_codes_or_amounts() -> None:
    text = "US imports of 8112.92 reached 1.3 t, 34.3x the rate. Hong Kong has no capacity."
    assert reason_sentences(text) == [
        "US imports of 8112.92 reached 1.3 t, 34.3x the rate.",
        "Hong Kong has no capacity.",
    ]
    assert [
        c.detector
        for c in contributions(
            '{"a": {"score": 0.5, "contribution": 0.1}, "b": {"score": 1.0, "contribution": 0.6}}'
        )
    ] == ["b", "a"]


def test_the_corridor_chart_draws_bars_baseline_controls_and_escapes_labels() -> None:
    months = pl.DataFrame(
        {
            "month": [date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1)],
            "shipments": [2, 0, 9],
            "weight_kg": [120.0, 0.0, 1500.0],
            "baseline_kg": [None, 120.0, 60.0],
            "statistics_kg": [118.0, None, 1480.0],
        }
    )
    svg = corridor_chart(
        months,
        [Marker(date(2024, 12, 3), "antimony <ban>")],
        date(2025, 1, 9),
        "A & B",
        "Korean trade statistics",
    )
    assert svg.count('class="bar"') == 2 + 1  # two unflagged months and the legend swatch
    assert svg.count('class="bar flagged"') == 1 + 1
    assert svg.count('class="statistics"') == 2 + 1
    assert "antimony &lt;ban&gt;" in svg and "A &amp; B" in svg and "<ban>" not in svg
    assert '<polyline class="baseline"' in svg
    assert "Korean trade statistics" in svg and "US" not in svg
    assert "No shipments" in corridor_chart(months.clear(), [], None, "empty", "statistics")


def test_old_sessions_are_swept_when_someone_signs_in(con: duckdb.DuckDBPyConnection) -> None:
    user = add_user(con, "a.lopez", PASSWORD)
    start_session(con, user, hours=-2)
    start_session(con, user, hours=1)
    assert count(con, "SELECT count(*) FROM sessions WHERE expires_at < ?", [datetime.now()]) == 0
    assert count(con, "SELECT count(*) FROM sessions") == 1


def test_a_flag_raised_again_under_new_rules_shows_the_earlier_decision(
    copied_tiny_store: duckdb.DuckDBPyConnection, analyst: User
) -> None:
    con = copied_tiny_store
    (old,) = top_flags(con, 1)
    decide(con, [old], "dismiss", "Licensed producer, checked in March", analyst)
    # The same shipment flagged again by another detector version, under a new id.
    new_id = reflag_under_new_rules(con, old)
    rows = flag_rows(con, [new_id, old])
    new = rows.filter(pl.col("flag_id") == new_id).row(0, named=True)
    assert new["status"] == "open"
    assert new["earlier_status"] == "dismissed" and new["earlier_flag_id"] == old
    assert new["earlier_note"] == "Licensed producer, checked in March"
    assert rows.filter(pl.col("flag_id") == old)["earlier_status"].to_list() == [None]
