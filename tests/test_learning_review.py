"""The review app and the terminal show what the learned part did and which shipments were
chosen for learning; imported outcomes appear in the decision log only."""

from __future__ import annotations

import re
import shutil
from datetime import date
from typing import TYPE_CHECKING

import polars as pl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import TINY_WORLD
from transship.cli import app as cli
from transship.detectors import DetectorConfig
from transship.learning.labels import LabelColumns
from transship.learning.outcomes import import_outcomes
from transship.review.app import create_app
from transship.review.users import add_user
from transship.run.pipeline import detect
from transship.settings import Settings
from transship.storage.store import store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def learned_db(tiny_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny world with past outcomes imported and 2026's first quarter rescored with a
    generous review budget, so that it holds learned flags and shipments chosen to learn."""
    path = tmp_path_factory.mktemp("learned") / "learned.duckdb"
    shutil.copy(tiny_store, path)
    labels = pl.read_csv(TINY_WORLD / "labels.csv", schema_overrides={"shipment_id": pl.String})
    with store(path) as con:
        analyst = add_user(con, "a.lopez", PASSWORD)
        ships = con.sql(
            "SELECT shipment_id FROM shipments WHERE arrival_date BETWEEN '2024-07-01' "
            "AND '2025-12-14'"
        ).pl()
        outcomes = path.parent / "outcomes.csv"
        ships.join(labels, on="shipment_id").select("shipment_id", "positive").with_columns(
            decided=pl.lit("2025-12-15")
        ).write_csv(outcomes)
        import_outcomes(con, outcomes, analyst, LabelColumns(decided_at_column="decided"))
        base = DetectorConfig.load()
        config = type(base)(
            **{**base.__dict__, "learning": {**base.learning, "review_budget": 1.0}}
        )
        detect(con, date(2026, 1, 1), date(2026, 3, 31), config)
    return path


@pytest.fixture
def client(learned_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=learned_db)), follow_redirects=False) as test_client:
        form = test_client.get("/login")
        token = CSRF.search(form.text)
        assert token is not None
        signed = test_client.post(
            "/login", data={"username": "a.lopez", "password": PASSWORD, "csrf_token": token[1]}
        )
        assert signed.status_code == 303
        yield test_client


def _flag(learned_db: Path, chosen: bool) -> str:
    """The top flag carrying a learned part (not a pick), or the top pick."""
    with store(learned_db, read_only=True) as con:
        flags = con.sql(
            "SELECT f.flag_id, f.score, s.learned_weight, s.chosen_for_learning FROM flags "
            "AS f INNER JOIN shipment_scores AS s USING (shipment_id)"
        ).pl()
    picked = pl.col("chosen_for_learning").is_not_null()
    wanted = picked if chosen else ~picked & (pl.col("learned_weight") > 0)
    return str(flags.filter(wanted).sort("score", descending=True)["flag_id"][0])


def test_the_queue_shows_the_learned_part_and_the_picks(client: TestClient) -> None:
    query = {"since": "2026-01-01", "status": "open"}
    first = client.get("/", params=query).text
    assert re.search(r"learned [+-]\d+", first)
    # Shipments chosen for learning score low: they close the queue.
    pages = re.search(r"Page 1 of (\d+)", first)
    assert pages is not None
    last = client.get("/", params={**query, "page": pages[1]}).text
    assert "chosen for learning" in last


def test_a_learned_flag_page_says_what_decisions_did(client: TestClient, learned_db: Path) -> None:
    flag = _flag(learned_db, chosen=False)
    page = client.get(f"/flags/{flag}").text
    assert "What analysts' decisions did" in page
    assert "Learned model " in page and "decisions before" in page


def test_a_pick_says_why_it_was_chosen(client: TestClient, learned_db: Path) -> None:
    flag = _flag(learned_db, chosen=True)
    page = client.get(f"/flags/{flag}").text
    assert "Chosen for learning." in page
    shown = CliRunner().invoke(cli, ["review", "show", flag, "--db", str(learned_db)])
    assert shown.exit_code == 0, shown.output
    assert "Chosen for learning:" in shown.output


def test_imported_outcomes_are_in_the_decision_log_only(client: TestClient) -> None:
    log = client.get("/audit").text
    assert "imported" in log and "fraud found" in log
    # No flag changed status: the queue has no decided flag.
    page = client.get("/", params={"status": "any"}).text
    assert "st-confirmed" not in page and "st-dismissed" not in page
