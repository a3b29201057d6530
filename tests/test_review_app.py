"""The review web app through FastAPI's test client: sign-in, CSRF, escaping, bound filters,
decisions that survive reruns, exports and roles."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from typer.testing import CliRunner

from tests.conftest import backfill_tiny, reflag_under_new_rules
from transship.cli import app as cli
from transship.detectors import DetectorConfig
from transship.errors import AuthenticationError, ReviewError
from transship.review.app import create_app
from transship.review.evidence import Evidence, flag_evidence
from transship.review.filters import FORM_NAMES, OPTION_NAMES, parse_filters
from transship.review.users import add_user, authenticate
from transship.settings import Settings
from transship.storage.store import store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import httpx

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def review_db(tiny_store: Path, tmp_path: Path) -> Path:
    path = tmp_path / "review.duckdb"
    shutil.copy(tiny_store, path)
    with store(path) as con:
        add_user(con, "a.lopez", PASSWORD)
        add_user(con, "b.okafor", PASSWORD, role="admin")
    return path


@pytest.fixture
def client(review_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=review_db)), follow_redirects=False) as test_client:
        yield test_client


def sign_in(client: TestClient, username: str = "a.lopez", next_path: str = "/") -> str:
    """Signs in and returns the session's CSRF token."""
    form = client.get("/login", params={"next": next_path})
    token = CSRF.search(form.text)
    assert token is not None
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": PASSWORD,
            "csrf_token": token[1],
            "next": next_path,
        },
    )
    assert response.status_code == 303, response.text
    page = client.get("/")
    found = CSRF.search(page.text)
    assert found is not None
    return found[1]


def post_decision(
    client: TestClient, flag: str, action: str, note: str, csrf: str
) -> httpx.Response:
    return client.post(
        f"/flags/{flag}/decision", data={"action": action, "note": note, "csrf_token": csrf}
    )


def one(db: Path, query: str, params: object = None) -> object:
    with store(db, read_only=True) as con:
        return con.execute(query, params).fetchall()[0][0]


def top_flag(db: Path, offset: int = 0) -> str:
    return str(
        one(
            db,
            "SELECT flag_id FROM flags WHERE level = 'shipment' "
            "ORDER BY score DESC, flag_id LIMIT 1 OFFSET ?",
            [offset],
        )
    )


PAGES = [
    "/",
    "/?status=any&severity=high",
    "/flags/{flag}",
    "/flags/{flag}/evidence",
    "/audit",
    "/export/queue.csv",
    "/export/decisions.csv",
    "/admin/users",
    "/account",
    "/warnings",
    "/warnings?import_country=JP&kind=drop",
]
FORMS = ["/decisions", "/flags/{flag}/decision", "/logout", "/admin/users", "/account/password"]


def test_every_page_and_form_requires_sign_in(client: TestClient, review_db: Path) -> None:
    flag = top_flag(review_db)
    for path in PAGES:
        response = client.get(path.format(flag=flag))
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")
    for path in FORMS:
        response = client.post(
            path.format(flag=flag), data={"action": "confirm", "note": "x", "flag_id": flag}
        )
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert one(review_db, "SELECT count(*) FROM decisions") == 0


def test_sign_in_returns_to_the_page_asked_for_and_never_off_site(client: TestClient) -> None:
    form = client.get("/login", params={"next": "/audit"})
    token = CSRF.search(form.text)
    assert token is not None
    wrong = client.post(
        "/login",
        data={"username": "a.lopez", "password": "nope", "csrf_token": token[1], "next": "/audit"},
    )
    assert wrong.status_code == 303 and "failed=1" in wrong.headers["location"]
    assert "wrong password" in client.get(wrong.headers["location"]).text
    for next_path, expected in (("/audit", "/audit"), ("//evil.example/", "/")):
        form = client.get("/login")
        token = CSRF.search(form.text)
        assert token is not None
        response = client.post(
            "/login",
            data={
                "username": "a.lopez",
                "password": PASSWORD,
                "csrf_token": token[1],
                "next": next_path,
            },
        )
        assert response.headers["location"] == expected
        assert "httponly" in response.headers["set-cookie"].lower()


def test_the_sign_in_page_says_when_a_name_is_locked(client: TestClient) -> None:
    for _ in range(6):
        form = client.get("/login")
        token = CSRF.search(form.text)
        assert token is not None
        response = client.post(
            "/login",
            data={"username": "a.lopez", "password": "guess", "csrf_token": token[1]},
        )
    assert "failed=locked" in response.headers["location"]
    assert "Too many failed sign-ins" in client.get(response.headers["location"]).text


def test_sign_in_itself_needs_the_form_token(client: TestClient) -> None:
    client.get("/login")
    response = client.post(
        "/login", data={"username": "a.lopez", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 403
    assert "transship_session" not in response.headers.get("set-cookie", "")


def test_forms_without_the_session_token_are_rejected_and_record_nothing(
    client: TestClient, review_db: Path
) -> None:
    sign_in(client)
    flag = top_flag(review_db)
    for token in (None, "forged"):
        data = {"action": "confirm", "note": "looks bad"}
        if token:
            data["csrf_token"] = token
        single = client.post(f"/flags/{flag}/decision", data=data)
        bulk = client.post("/decisions", data={**data, "flag_id": flag})
        assert single.status_code == bulk.status_code == 403
        assert "nothing was recorded" in single.text
    assert client.post("/logout").status_code == 403
    assert one(review_db, "SELECT count(*) FROM decisions") == 0


def test_a_decision_with_html_in_its_note_is_escaped_everywhere(
    client: TestClient, review_db: Path
) -> None:
    csrf = sign_in(client)
    flag = top_flag(review_db)
    note = '<script>alert("x")</script><b>bold</b>'
    response = post_decision(client, flag, "escalate", note, csrf)
    assert response.status_code == 303
    for path in (f"/flags/{flag}", f"/flags/{flag}/evidence", "/audit"):
        page = client.get(path).text
        assert "&lt;script&gt;alert(" in page, path
        assert "<script>alert" not in page and "<b>bold</b>" not in page
    assert one(review_db, "SELECT note FROM decisions") == note


def test_filter_parameters_are_bound_not_spliced(client: TestClient, review_db: Path) -> None:
    sign_in(client)
    flags_before = one(review_db, "SELECT count(*) FROM flags")
    hostile = client.get(
        "/", params={"origin": "TH' OR '1'='1", "material": "x'; DROP TABLE flags;--"}
    )
    assert hostile.status_code == 200 and "No flags match" in hostile.text
    refused = client.get("/", params={"hs_code": "81' OR 1=1 --"})
    assert refused.status_code == 200 and "must be digits" in refused.text
    bad_date = client.get("/", params={"since": "yesterday"})
    assert "is not a date" in bad_date.text
    assert one(review_db, "SELECT count(*) FROM flags") == flags_before


def test_a_decision_persists_across_a_rerun(client: TestClient, review_db: Path) -> None:
    csrf = sign_in(client)
    flag = top_flag(review_db)
    post_decision(client, flag, "confirm", "Matches a CBP seizure", csrf)
    with store(review_db) as con:
        backfill_tiny(con, DetectorConfig.load())
    page = client.get(f"/flags/{flag}").text
    assert 'class="status st-confirmed">confirmed' in page
    assert "Matches a CBP seizure" in page
    assert flag not in client.get("/", params={"page": 1}).text
    assert flag in client.get("/", params={"status": "confirmed"}).text


def test_bulk_decisions_from_the_queue(client: TestClient, review_db: Path) -> None:
    csrf = sign_in(client)
    flags = [top_flag(review_db, i) for i in range(3)]
    response = client.post(
        "/decisions",
        data={
            "action": "dismiss",
            "note": "Same importer, licensed producer",
            "flag_id": flags,
            "csrf_token": csrf,
            "return_to": "/?severity=high",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/?severity=high&decided=3")
    assert "Recorded 3 decisions: dismissed." in client.get(response.headers["location"]).text
    assert one(review_db, "SELECT count(*) FROM flags WHERE status = 'dismissed'") == 3
    empty = client.post("/decisions", data={"action": "dismiss", "note": "x", "csrf_token": csrf})
    assert "no flags chosen" in client.get(empty.headers["location"]).text


def test_the_queue_ranks_counts_and_pages(client: TestClient, review_db: Path) -> None:
    sign_in(client)
    page = client.get("/").text
    scores = [int(s) for s in re.findall(r'class="score sev-\w+">(\d+)</a>', page)]
    assert len(scores) == 50 and scores == sorted(scores, reverse=True)
    total = one(review_db, "SELECT count(*) FROM flags WHERE status = 'open'")
    assert f"<strong>{total}</strong> flags" in page
    second = client.get("/", params={"page": 2}).text
    assert "Page 2 of" in second and top_flag(review_db) not in second


def test_the_flag_page_and_printable_evidence_show_reasons_chart_and_legs(
    client: TestClient, review_db: Path
) -> None:
    sign_in(client)
    flag = top_flag(review_db)
    page = client.get(f"/flags/{flag}").text
    for section in (
        "Why it was flagged",
        "Each detector",
        "The corridor",
        "Both legs",
        "The shipment",
        "The traders",
        "Decide",
    ):
        assert section in page
    assert '<svg class="chart"' in page and 'class="bar flagged"' in page
    printable = client.get(f"/flags/{flag}/evidence").text
    assert '<svg class="chart"' in printable and "printed" in printable
    assert "Record decision" not in printable
    assert client.get("/flags/Snope").status_code == 404


def test_exports_are_csv_of_the_filtered_queue_and_every_decision(
    client: TestClient, review_db: Path
) -> None:
    csrf = sign_in(client)
    flag = top_flag(review_db)
    post_decision(client, flag, "confirm", "ok", csrf)
    exported = client.get("/export/queue.csv", params={"severity": "high", "status": "any"})
    assert exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.strip().splitlines()
    assert lines[0].startswith("flag_id,")
    assert len(lines) - 1 == one(review_db, "SELECT count(*) FROM flags WHERE severity = 'high'")
    decisions = client.get("/export/decisions.csv").text.strip().splitlines()
    assert len(decisions) == 2 and flag in decisions[1] and "a.lopez" in decisions[1]


def test_only_admins_manage_users_and_reopen(client: TestClient, review_db: Path) -> None:
    csrf = sign_in(client, "a.lopez")
    assert client.get("/admin/users").status_code == 403
    denied = client.post(
        "/admin/users", data={"username": "c.new", "password": PASSWORD, "csrf_token": csrf}
    )
    assert denied.status_code == 403
    flag = top_flag(review_db)
    post_decision(client, flag, "dismiss", "no", csrf)
    reopen = post_decision(client, flag, "reopen", "again", csrf)
    assert "only an admin" in client.get(reopen.headers["location"]).text

    client.cookies.clear()
    csrf = sign_in(client, "b.okafor")
    added = client.post(
        "/admin/users",
        data={"username": "c.new", "password": PASSWORD, "role": "analyst", "csrf_token": csrf},
    )
    assert added.status_code == 303 and "c.new" in client.get("/admin/users").text
    post_decision(client, flag, "reopen", "New lab result", csrf)
    assert one(review_db, "SELECT status FROM flags WHERE flag_id = ?", [flag]) == "open"
    assert one(review_db, "SELECT count(*) FROM users WHERE username = 'c.new'") == 1


def test_pages_carry_a_strict_content_security_policy(client: TestClient) -> None:
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/app.css").status_code == 200


def test_a_busy_store_gets_a_clear_retry_page(client: TestClient, review_db: Path) -> None:
    sign_in(client)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); "
            "time.sleep(60)",
            str(review_db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        response = client.get("/")
        assert response.status_code == 503 and "try again in a minute" in response.text
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    assert client.get("/").status_code == 200


def test_the_store_is_released_between_requests(client: TestClient, review_db: Path) -> None:
    sign_in(client)
    client.get("/")
    other_process = subprocess.run(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; duckdb.connect(sys.argv[1]).close()",
            str(review_db),
        ],
        capture_output=True,
        text=True,
    )
    assert other_process.returncode == 0, other_process.stderr


def test_the_flag_page_shows_a_decision_taken_under_earlier_rules(
    client: TestClient, review_db: Path
) -> None:
    csrf = sign_in(client)
    old = top_flag(review_db)
    post_decision(client, old, "dismiss", "Known smelter <ok>", csrf)
    with store(review_db) as con:
        new_id = reflag_under_new_rules(con, old)
    page = client.get(f"/flags/{new_id}").text
    assert "Flagged before under other rules" in page and f'href="/flags/{old}"' in page
    assert "Known smelter &lt;ok&gt;" in page
    assert "earlier flag: dismissed" in client.get("/", params={"hs_code": ""}).text


def test_analysts_change_their_own_password(client: TestClient, review_db: Path) -> None:
    csrf = sign_in(client)
    assert "Change your password" in client.get("/account").text
    new = "a much longer passphrase"

    def change(current: str, password: str, repeat: str, token: str = csrf) -> httpx.Response:
        return client.post(
            "/account/password",
            data={
                "current_password": current,
                "new_password": password,
                "repeat_password": repeat,
                "csrf_token": token,
            },
        )

    assert change(PASSWORD, new, new, token="forged").status_code == 403
    for current, password, repeat, problem in (
        ("not the password", new, new, "the current password is wrong"),
        (PASSWORD, new, new + "!", "the new password and its repeat differ"),
        (PASSWORD, "short", "short", "at least 12 characters"),
    ):
        refused = change(current, password, repeat)
        assert refused.headers["location"].startswith("/account?problem=")
        assert problem in client.get(refused.headers["location"]).text
    changed = change(PASSWORD, new, new)
    assert changed.headers["location"] == "/login?changed=1"
    assert "sign in with the new one" in client.get("/login?changed=1").text
    # Every session of the account ended, this one too, and only the new password works.
    assert client.get("/").status_code == 303
    with store(review_db) as con:
        with pytest.raises(AuthenticationError):
            authenticate(con, "a.lopez", PASSWORD)
        assert authenticate(con, "a.lopez", new).username == "a.lopez"


@pytest.mark.parametrize(
    "field, value",
    [
        ("status", "closed"),
        ("severity", "urgent"),
        ("level", "port"),
        ("hs_code", "81' OR 1=1 --"),
        ("since", "yesterday"),
        ("until", "2025-02-30"),
    ],
)
def test_the_terminal_and_the_browser_refuse_a_bad_filter_alike(
    client: TestClient, review_db: Path, field: str, value: str
) -> None:
    def refusal(names: dict[str, str]) -> str:
        with pytest.raises(ReviewError) as refused:
            parse_filters({field: value}, names)
        return str(refused.value)

    option = "--" + field.replace("_", "-")
    listed = CliRunner().invoke(cli, ["review", "list", option, value, "--db", str(review_db)])
    assert listed.exit_code == 2
    assert listed.output == f"error: {refusal(OPTION_NAMES)}\n"
    sign_in(client)
    page = client.get("/", params={field: value})
    assert page.status_code == 200
    assert f'<p class="alert" role="alert">{escape(refusal(FORM_NAMES))}</p>' in page.text
    if field not in FORM_NAMES:
        assert refusal(OPTION_NAMES) == refusal(FORM_NAMES)


def evidence_facts(evidence: Evidence) -> list[str]:
    """What both the flag page and `transship review show` must state about a flag."""
    flag = evidence.flag
    facts = [
        flag["flag_id"],
        f"{flag['score']:.0f}",
        flag["severity"],
        flag["status"],
        evidence.origin,
        flag["hs_code"],
        str(flag["flag_date"]),
        *evidence.reasons,
        *(str(year) for year in evidence.leg_years),
        *(leg.label for leg in evidence.leg_rows),
    ]
    if flag["level"] == "shipment":
        facts += [
            flag["exporter"],
            flag["importer"],
            f"{flag['weight_kg']:,.1f} kg",
            flag["description"],
        ]
    for part in evidence.contributions:
        score = "—" if part.score is None else f"{part.score:.2f}"
        facts += [part.detector, score, f"{part.contribution:.3f}"]
    for decision in evidence.decisions.iter_rows(named=True):
        facts += [decision["analyst"], decision["new_status"], decision["note"]]
    return facts


def test_review_show_and_the_flag_page_state_the_same_evidence(
    client: TestClient, review_db: Path
) -> None:
    csrf = sign_in(client)
    flag = top_flag(review_db)
    post_decision(client, flag, "escalate", "Ask CBP for the mill certificate & invoice", csrf)
    evidence = assert_shown_alike(client, review_db, flag)
    assert evidence.reasons and evidence.contributions and evidence.leg_rows
    assert evidence.decisions.height == 1


def corridor_flag(db: Path, basis: str) -> str:
    return str(
        one(
            db,
            "SELECT flag_id FROM flags WHERE level = 'corridor' AND basis = ? "
            "ORDER BY score DESC, flag_id LIMIT 1",
            [basis],
        )
    )


def assert_shown_alike(client: TestClient, db: Path, flag: str) -> Evidence:
    """`review show` and the flag pages show the flag, stating the same evidence."""
    with store(db, read_only=True) as con:
        evidence = flag_evidence(con, flag)
    shown = CliRunner().invoke(
        cli, ["review", "show", flag, "--db", str(db)], env={"COLUMNS": "200"}
    )
    assert shown.exit_code == 0, shown.output
    page = client.get(f"/flags/{flag}")
    assert page.status_code == 200
    assert client.get(f"/flags/{flag}/evidence").status_code == 200
    terminal = " ".join(shown.output.split())
    browser = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())
    for fact in evidence_facts(evidence):
        fact = " ".join(str(fact).split())
        assert fact in terminal, fact
        assert fact in browser, fact
    return evidence


WARNING = re.compile(
    r'<article class="panel warning sev-(\w+)" id="warning-\d+">(.*?)</article>', re.S
)


def library_warnings(db: Path, country: str, since: str) -> list[dict[str, object]]:
    from transship.early_warning import warning_digest

    with store(db, read_only=True) as con:
        return warning_digest(con, country, since).warnings.to_dicts()


def test_the_warnings_page_ranks_warnings_with_charts_and_corridor_links(
    client: TestClient, review_db: Path
) -> None:
    sign_in(client)
    page = client.get("/warnings", params={"since": "2024-12"})
    assert page.status_code == 200
    articles = WARNING.findall(page.text)
    expected = library_warnings(review_db, "US", "2024-12")
    assert len(articles) == len(expected) > 0
    for (severity, body), warning in zip(articles, expected, strict=True):
        assert severity == warning["severity"]
        assert str(escape(warning["message"])) in body
        assert body.count('<svg class="chart shares"') == 1
        assert 'class="share' in body and 'class="period"' in body
    # The link opens the queue on that corridor, whatever the flags' status, and says how
    # many flags it holds.
    thailand = next(
        body
        for (_, body), w in zip(articles, expected, strict=True)
        if (w["kind"], w["partner_code"], w["hs6"]) == ("replacement", "TH", "282580")
    )
    link = re.search(r'<a class="corridor-flags" href="([^"]+)">(\d+) flags? in', thailand)
    assert link is not None
    href, count = html.unescape(link[1]), int(link[2])
    assert href == "/?status=any&origin=TH&hs_code=282580&import_country=US"
    assert count == one(
        review_db,
        "SELECT count(*) FROM flags WHERE import_country = 'US' AND origin_country = 'TH' "
        "AND starts_with(hs_code, '282580')",
    )
    assert count > 0
    assert f"<strong>{count}</strong> flags" in client.get(href).text
    assert 'aria-current="page">Warnings</a>' in page.text


def test_the_warnings_filters_narrow_what_is_shown(client: TestClient, review_db: Path) -> None:
    sign_in(client)
    every = library_warnings(review_db, "US", "2023-01")
    replacements = client.get("/warnings", params={"since": "2023-01", "kind": "replacement"})
    found = WARNING.findall(replacements.text)
    assert len(found) == sum(w["kind"] == "replacement" for w in every) > 0
    assert all('<strong class="kind">replacement</strong>' in body for _, body in found)
    antimony = WARNING.findall(
        client.get("/warnings", params={"since": "2023-01", "material": "antimony"}).text
    )
    assert len(antimony) == sum("antimony" in str(w["material"]).split("/") for w in every) > 0
    japan = client.get("/warnings", params={"since": "2023-01", "import_country": "jp"}).text
    assert len(WARNING.findall(japan)) == len(library_warnings(review_db, "JP", "2023-01")) > 0
    assert '<option value="JP" selected>' in japan


def test_the_warnings_charts_mark_only_the_controls_on_that_importer(
    client: TestClient,
) -> None:
    sign_in(client)
    params = {"since": "2023-01", "material": "antimony", "kind": "drop"}
    us = client.get("/warnings", params=params).text
    japan = client.get("/warnings", params={**params, "import_country": "JP"}).text
    assert WARNING.findall(us) and WARNING.findall(japan)
    # China's licence applies to every destination; the 2024-12-03 ban to the US only.
    assert "antimony licence</text>" in us and "antimony licence</text>" in japan
    assert "antimony ban</text>" in us and "antimony ban ends</text>" in us
    assert "ban</text>" not in japan and "ban ends</text>" not in japan


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"kind": "<script>alert(1)</script>"}, "unknown kind '<script>alert(1)</script>'"),
        ({"since": "2024' OR 1=1 --"}, "since must be YYYY or YYYY-MM"),
        ({"import_country": "ZZ'; DROP TABLE flags;--"}, "is not an ISO alpha-2 country code"),
    ],
)
def test_bad_warning_filters_are_said_escaped_and_bound(
    client: TestClient, review_db: Path, params: dict[str, str], said: str
) -> None:
    sign_in(client)
    flags_before = one(review_db, "SELECT count(*) FROM flags")
    page = client.get("/warnings", params=params)
    assert page.status_code == 200
    alert = re.search(r'<p class="alert" role="alert">(.*?)</p>', page.text)
    assert alert is not None and str(escape(said)) in alert[1]
    assert "<script>alert(1)" not in page.text
    # The page under the message is the default one.
    assert WARNING.findall(page.text)
    assert one(review_db, "SELECT count(*) FROM flags") == flags_before
    hostile = client.get("/warnings", params={"material": "x' OR '1'='1"})
    assert hostile.status_code == 200 and "No warnings match these filters." in hostile.text


@pytest.mark.parametrize("basis", ["shipments", "statistics"])
def test_review_show_and_the_flag_page_of_a_corridor_flag(
    client: TestClient, review_db: Path, basis: str
) -> None:
    sign_in(client)
    flag = corridor_flag(review_db, basis)
    evidence = assert_shown_alike(client, review_db, flag)
    assert evidence.flag["basis"] == basis and evidence.reasons
    assert evidence.contributions and all(c.score is not None for c in evidence.contributions)
    assert set(evidence.flag["detectors"].split(",")) <= {
        c.detector for c in evidence.contributions
    }


def test_a_corridor_month_flag_stored_before_every_level_kept_scores_is_shown(
    client: TestClient, review_db: Path
) -> None:
    """Stores written before the fix hold corridor-month contributions as bare numbers."""
    sign_in(client)
    flag = corridor_flag(review_db, "shipments")
    with store(review_db) as con:
        con.execute(
            "UPDATE flags SET contributions = ? WHERE flag_id = ?",
            ['{"corridor_surge": 0.6, "capacity": 0.45, "flagged_shipments": 0.0}', flag],
        )
    evidence = assert_shown_alike(client, review_db, flag)
    assert [(c.detector, c.score, c.contribution) for c in evidence.contributions] == [
        ("corridor_surge", None, 0.6),
        ("capacity", None, 0.45),
        ("flagged_shipments", None, 0.0),
    ]


def test_the_app_installs_the_materials_folder_of_its_settings(
    review_db: Path, tmp_path: Path
) -> None:
    from tests.test_materials import UNOBTAINIUM, installed, write_folder

    mine = write_folder(tmp_path / "mine", {"unobtainium.toml": UNOBTAINIUM})
    with TestClient(
        create_app(Settings(db=review_db, materials=mine)), follow_redirects=False
    ) as app_client:
        assert app_client.get("/").status_code == 303
    assert installed(review_db, "unobtainium") == 1
