"""The review app's entity page: reached from a flag, showing spellings, shipments, flags
and decisions; merges and splits with a note, recorded as the CLI records them; and one
decision for all of an entity's open flags, each flag's logged."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import duckdb
import polars as pl
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from tests.conftest import flag_shipment
from tests.test_review_app import CSRF, sign_in
from transship.entities.keys import entity_of
from transship.entities.resolve import resolve
from transship.errors import ReviewError
from transship.review.app import create_app
from transship.review.entities import decide_entity
from transship.review.queue import QueueFilters, grouped_queue
from transship.review.users import User
from transship.settings import Settings
from transship.storage.store import open_store, store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def db(resolved: Path, tmp_path: Path) -> Path:
    path = tmp_path / "store.duckdb"
    shutil.copy(resolved, path)
    return path


@pytest.fixture
def client(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=db)), follow_redirects=False) as test_client:
        yield test_client


def _busy_entity(db: Path) -> tuple[str, list[str], list[str]]:
    """An exporter entity of three spellings or more, its spellings, and flags on three of
    its shipments (each a different spelling where it can)."""
    with store(db) as con:
        entity_id, aliases = con.execute(
            "SELECT entity_id, list(alias ORDER BY shipments DESC, alias) FROM entity_aliases "
            "WHERE role = 'exporter' GROUP BY entity_id HAVING count(*) >= 3 "
            "ORDER BY entity_id LIMIT 1"
        ).fetchall()[0]
        shipments = [
            row[0]
            for row in con.execute(
                "SELECT min(shipment_id) FROM shipments WHERE list_contains($a, exporter) "
                "GROUP BY exporter ORDER BY 1 LIMIT 3",
                {"a": aliases},
            ).fetchall()
        ]
        flags = [flag_shipment(con, shipment) for shipment in shipments]
    return entity_id, aliases, flags


def _csrf(client: TestClient, path: str) -> str:
    found = CSRF.search(client.get(path).text)
    assert found is not None
    return found[1]


def test_the_flag_page_links_to_its_traders_entities_and_the_page_shows_them(
    client: TestClient, db: Path
) -> None:
    entity_id, aliases, flags = _busy_entity(db)
    sign_in(client)
    flag_page = client.get(f"/flags/{flags[0]}")
    assert flag_page.status_code == 200
    assert f'href="/entities/{entity_id}"' in flag_page.text
    page = client.get(f"/entities/{entity_id}")
    assert page.status_code == 200
    for alias in aliases:
        assert str(escape(alias)) in page.text
    for flag in flags:
        assert f'href="/flags/{flag}"' in page.text
    assert "Record for 3 flags" in page.text
    # A spelling leads to its entity too; an unknown name is a 404 page.
    assert client.get(f"/entities/{aliases[0]}").status_code == 200
    assert client.get("/entities/EXnothing").status_code == 404


def test_merge_and_split_from_the_page_are_logged_and_survive_re_resolution(
    client: TestClient, db: Path
) -> None:
    entity_id, aliases, _ = _busy_entity(db)
    sign_in(client)
    path = f"/entities/{entity_id}"
    csrf = _csrf(client, path)
    with store(db, read_only=True) as con:
        other = con.execute(
            "SELECT entity_id, alias FROM entity_aliases WHERE role = 'exporter' "
            "AND entity_id <> $e ORDER BY entity_id, alias LIMIT 1",
            {"e": entity_id},
        ).fetchall()[0]
    refused = client.post(
        path + "/merge", data={"other": other[1], "note": " ", "csrf_token": csrf}
    )
    assert refused.status_code == 303 and "problem=" in refused.headers["location"]
    merged = client.post(
        path + "/merge",
        data={"other": other[1], "note": "Same registration number", "csrf_token": csrf},
    )
    assert merged.status_code == 303
    target = merged.headers["location"].split("?")[0]
    assert "Merged" in client.get(merged.headers["location"]).text
    split = client.post(
        target + "/split",
        data={"alias": aliases[-1], "note": "Different director", "csrf_token": csrf},
    )
    assert split.status_code == 303 and "problem" not in split.headers["location"]

    con = open_store(db)
    try:
        log = con.sql(
            "SELECT action, analyst, note FROM entity_corrections ORDER BY correction_id"
        ).fetchall()
        assert log == [
            ("merge", "a.lopez", "Same registration number"),
            ("split", "a.lopez", "Different director"),
        ]
        resolve(con)
        joined = entity_of(con, "exporter", other[1])
        assert joined == entity_of(con, "exporter", aliases[0])
        assert entity_of(con, "exporter", aliases[-1]) != joined
    finally:
        con.close()


def test_one_decision_for_all_of_an_entitys_open_flags(client: TestClient, db: Path) -> None:
    entity_id, _, flags = _busy_entity(db)
    sign_in(client)
    path = f"/entities/{entity_id}"
    csrf = _csrf(client, path)
    empty = client.post(path + "/decision", data={"action": "confirm", "csrf_token": csrf})
    assert "problem=" in empty.headers["location"]
    done = client.post(
        path + "/decision",
        data={"action": "confirm", "note": "One firm, one scheme", "csrf_token": csrf},
    )
    assert done.status_code == 303 and "decided=3" in done.headers["location"]
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "SELECT flag_id, new_status, note, analyst FROM decisions ORDER BY flag_id"
    ).fetchall()
    con.close()
    assert rows == [(f, "confirmed", "One firm, one scheme", "a.lopez") for f in sorted(flags)]
    again = client.get(path)
    assert "No open flags." in again.text and "One firm, one scheme" in again.text
    assert (
        "no open flags"
        in client.post(
            path + "/decision",
            data={"action": "dismiss", "note": "again", "csrf_token": csrf},
            follow_redirects=True,
        ).text
    )


def test_entity_pages_and_forms_need_sign_in(client: TestClient, db: Path) -> None:
    entity_id, _, _ = _busy_entity(db)
    assert client.get(f"/entities/{entity_id}").status_code == 303
    for form in ("merge", "split", "decision"):
        response = client.post(f"/entities/{entity_id}/{form}", data={"action": "confirm"})
        assert response.status_code in (303, 403), form
    with store(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM decisions").fetchall()[0][0] == 0
        assert con.execute("SELECT count(*) FROM entity_corrections").fetchall()[0][0] == 0


def test_the_queue_groups_open_flags_into_cases_by_entity_and_corridor(
    client: TestClient, db: Path
) -> None:
    entity_id, aliases, flags = _busy_entity(db)
    with store(db, read_only=True) as con:
        corridors = con.execute(
            "SELECT count(DISTINCT (origin_country, import_country, material)) FROM flags "
            "WHERE list_contains($f, flag_id)",
            {"f": flags},
        ).fetchall()[0][0]
        cases = grouped_queue(con, QueueFilters(), "exporter")
        by_importer = grouped_queue(con, QueueFilters(), "importer")
        with pytest.raises(ReviewError, match="unknown grouping"):
            grouped_queue(con, QueueFilters(), "origin")
    # Three spellings of one firm are one case per corridor, not three rows.
    mine = cases.groups.filter(pl.col("entity_id") == entity_id)
    assert mine.height == corridors
    assert sorted(f for ids in mine["flag_ids"] for f in ids) == sorted(flags)
    assert cases.flags == len(flags) == by_importer.flags
    written = {s for row in mine["spellings"] for s in row}
    assert len(written) == 3 and written <= set(aliases)

    sign_in(client)
    page = client.get("/?group=exporter")
    assert page.status_code == 200
    assert f'href="/entities/{entity_id}"' in page.text
    assert f"<strong>{cases.cases}</strong> case" in page.text
    csrf = _csrf(client, "/?group=exporter")
    first = mine.row(0, named=True)
    done = client.post(
        "/decisions",
        data={
            "action": "escalate",
            "note": "One case",
            "flag_id": first["flag_ids"],
            "csrf_token": csrf,
            "return_to": "/?group=exporter",
        },
    )
    assert done.status_code == 303
    assert done.headers["location"].startswith("/?group=exporter&decided=")
    with store(db, read_only=True) as con:
        logged = con.execute(
            "SELECT flag_id FROM decisions WHERE note = 'One case' ORDER BY flag_id"
        ).fetchall()
    assert [row[0] for row in logged] == sorted(first["flag_ids"])
    assert "unknown grouping" in client.get("/?group=origin").text


def test_a_case_decision_takes_only_the_entitys_open_flags(db: Path) -> None:
    entity_id, _, flags = _busy_entity(db)
    analyst = User("a.lopez", "analyst")
    with store(db) as con:
        other = flag_shipment(
            con,
            con.execute(
                "SELECT min(s.shipment_id) FROM shipments AS s JOIN entity_aliases AS a "
                "ON a.role = 'exporter' AND a.alias = s.exporter WHERE a.entity_id <> $e",
                {"e": entity_id},
            ).fetchall()[0][0],
        )
        with pytest.raises(ReviewError, match=f"{other} is not an open flag"):
            decide_entity(con, entity_id, "confirm", "mixed up", analyst, [flags[0], other])
        assert con.execute("SELECT count(*) FROM decisions").fetchall()[0][0] == 0
        assert decide_entity(con, entity_id, "dismiss", "only these", analyst, flags[:2]) == 2
        assert decide_entity(con, entity_id, "confirm", "the rest", analyst) == 1
        with pytest.raises(ReviewError, match="no open flags"):
            decide_entity(con, entity_id, "confirm", "again", analyst)


def test_the_cli_lists_cases_and_writes_them_with_their_flag_ids(db: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from transship.cli import app

    entity_id, _, flags = _busy_entity(db)
    runner = CliRunner()
    with store(db, read_only=True) as con:
        name = con.execute(
            "SELECT entity_name FROM entities WHERE entity_id = $e", {"e": entity_id}
        ).fetchall()[0][0]
    listed = runner.invoke(app, ["review", "list", "--group-by", "exporter", "--db", str(db)])
    assert listed.exit_code == 0, listed.output
    assert "1 case by exporter holding 3 shipment flags" in listed.output
    out = tmp_path / "cases.csv"
    written = runner.invoke(
        app, ["review", "list", "--group-by", "exporter", "--out", str(out), "--db", str(db)]
    )
    assert written.exit_code == 0, written.output
    cases = pl.read_csv(out).filter(pl.col("entity_id") == entity_id)
    assert cases["trader"].to_list() == [name] * cases.height
    assert sorted(f for ids in cases["flag_ids"] for f in ids.split(" ")) == sorted(flags)
    refused = runner.invoke(app, ["review", "list", "--group-by", "origin", "--db", str(db)])
    assert refused.exit_code != 0 and "unknown grouping" in refused.output
