"""Entity resolution in the store, on the demo world with messy names: quality against the
true firms, the nightly increment, point in time, corrections, bad names, the commands."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta
from typing import TYPE_CHECKING

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from tests.conftest import (
    BAD_NAMES,
    bad_names_file,
    count,
    flag_shipment,
    ingest_with_bad_names,
)
from transship.cli import app
from transship.entities.corrections import merge, split
from transship.entities.keys import entity_keys, entity_of
from transship.entities.listing import LIST_COLUMNS, details, spellings
from transship.entities.model import DEFAULT_THRESHOLD
from transship.entities.resolve import resolve, resolve_new
from transship.errors import EntityError, UnknownEntityError
from transship.evaluation.entities import firms_of_spellings, pairwise
from transship.review.users import User
from transship.storage.store import open_store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

runner = CliRunner()
CUT = date(2025, 6, 30)


@pytest.fixture
def store(resolved: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    copy = tmp_path / "store.duckdb"
    shutil.copy(resolved, copy)
    con = open_store(copy)
    yield con
    con.close()


def _truth_joined(con: duckdb.DuckDBPyConnection, world: Path) -> pl.DataFrame:
    found = con.sql("SELECT role, alias, entity_id, shipments FROM entity_aliases").pl()
    return found.join(firms_of_spellings(world), on=["role", "alias"])


def test_resolved_entities_match_the_true_firms(resolved: Path, messy_world: Path) -> None:
    """Floors just under what the demo world measures (README: Entity resolution)."""
    con = duckdb.connect(str(resolved), read_only=True)
    joined = _truth_joined(con, messy_world)
    con.close()
    for role in ("exporter", "importer"):
        scores = pairwise(joined.filter(pl.col("role") == role))
        assert scores.precision >= 0.98, (role, scores)
        assert scores.recall >= 0.99, (role, scores)
    # Many spellings per firm: the names really were messy.
    assert joined["alias"].n_unique() > 3 * joined["firm"].n_unique()


def test_every_spelling_has_one_entity_and_the_model_is_stored(resolved: Path) -> None:
    con = duckdb.connect(str(resolved), read_only=True)
    assert count(con, "SELECT count(*) FROM entity_aliases WHERE entity_id IS NULL") == 0
    names = count(
        con,
        "SELECT count(*) FROM (SELECT DISTINCT exporter FROM shipments UNION ALL "
        "SELECT DISTINCT importer FROM shipments)",
    )
    assert count(con, "SELECT count(*) FROM entity_aliases") == names
    models = con.sql(
        "SELECT role, model_version, threshold, splink_version, settings FROM entity_models"
    ).pl()
    assert sorted(models["role"]) == ["exporter", "importer"]
    assert set(models["model_version"]) == {1}
    assert set(models["threshold"]) == {0.95}
    settings = json.loads(models["settings"][0])
    assert {c["output_column_name"] for c in settings["comparisons"]} >= {"core_name", "ports"}
    # Every shipment has its entities, as they were on its arrival date.
    assert (
        count(con, "SELECT count(*) FROM shipment_entities WHERE exporter_entity_id IS NULL") == 0
    )
    con.close()


def test_names_the_model_cannot_match_stay_their_own_entities(
    store: duckdb.DuckDBPyConnection,
) -> None:
    unresolved = spellings(store, unresolved=True)
    assert sorted(unresolved["alias"]) == sorted(BAD_NAMES)
    assert unresolved["entity_id"].n_unique() == len(BAD_NAMES)
    assert set(unresolved["reason"]) == {
        "the name has fewer than two letters or digits, or no letter",
        "the name is only a legal form",
        "the name is written in a script other than Latin",
    }
    assert (
        "CO LTD"
        not in spellings(store, unresolved=False)
        .filter(pl.col("alias") == "Co., Ltd.")["entity_name"]
        .to_list()
    )


def test_the_list_has_one_row_per_spelling(store: duckdb.DuckDBPyConnection) -> None:
    listed = spellings(store)
    assert listed.columns == list(LIST_COLUMNS)
    assert listed.height == count(store, "SELECT count(*) FROM entity_aliases")
    assert listed.select("role", "alias").is_duplicated().sum() == 0
    shipped = count(store, "SELECT count(*) FROM shipments WHERE exporter IS NOT NULL")
    assert listed.filter(pl.col("role") == "exporter")["shipments"].sum() == shipped


def test_the_nightly_increment_links_new_spellings_without_changing_the_past(
    messy_world: Path, tmp_path: Path
) -> None:
    con = open_store(tmp_path / "s.duckdb")
    ingest_with_bad_names(con, messy_world, bad_names_file(tmp_path))
    first = resolve(con, until=CUT)
    before = entity_keys(con, CUT)
    later = count(con, "SELECT count(*) FROM shipments WHERE arrival_date > $d", {"d": CUT})
    assert later > 0 and before.height == count(con, "SELECT count(*) FROM shipments") - later
    increment = resolve_new(con)
    assert increment.mode == "new" and increment.new_spellings > 0
    assert increment.model_version == first.model_version
    # Entities as of the cut are as they were: no spelling seen later changed them.
    assert entity_keys(con, CUT).equals(before)
    # Every spelling now has an entity, and most new spellings joined an existing one.
    assert count(con, "SELECT count(*) FROM entity_aliases WHERE entity_id IS NULL") == 0
    new = con.sql(
        "SELECT a.entity_id, e.first_seen FROM entity_aliases a JOIN entities e USING (entity_id) "
        "WHERE a.first_seen > $d",
        params={"d": CUT},
    ).pl()
    assert (new["first_seen"] <= CUT).mean() > 0.5  # type: ignore[operator]
    con.close()


def test_a_nightly_run_links_the_new_spellings_before_it_scores(
    messy_world: Path, tmp_path: Path
) -> None:
    from transship.detectors import DetectorConfig
    from transship.run.pipeline import detect

    con = open_store(tmp_path / "s.duckdb")
    ingest_with_bad_names(con, messy_world, bad_names_file(tmp_path))
    resolve(con, until=CUT)
    unplaced = "SELECT count(*) FROM entity_aliases WHERE entity_id IS NULL"
    new = count(
        con,
        "SELECT count(*) FROM (SELECT exporter FROM shipments GROUP BY exporter "
        "HAVING min(arrival_date) > $d)",
        {"d": CUT},
    )
    assert new > 0
    day = CUT + timedelta(days=1)
    result = detect(con, day, day, DetectorConfig.load(), kind="nightly")
    assert not any("resolve" in warning for warning in result.warnings), result.warnings
    # The increment placed every spelling stored by then (it links what the store holds).
    assert count(con, unplaced) == 0
    assert (
        count(con, "SELECT count(*) FROM entity_aliases WHERE first_seen > $d", {"d": CUT}) >= new
    )
    con.close()


def test_the_returning_firm_is_recognised_under_its_new_spelling(
    resolved: Path, messy_world: Path
) -> None:
    con = duckdb.connect(str(resolved), read_only=True)
    labels = pl.read_csv(messy_world / "labels.csv", infer_schema=False)
    shipments = pl.read_csv(messy_world / "shipments.csv", infer_schema=False)
    back = shipments.join(labels, on="shipment_id").filter(pl.col("label") == "returning_firm")
    (new_name,) = back["exporter"].unique().to_list()
    firm = back["exporter_firm"][0]
    earlier = (
        shipments.join(labels, on="shipment_id")
        .filter((pl.col("exporter_firm") == firm) & (pl.col("label") != "returning_firm"))[
            "exporter"
        ]
        .unique()
        .to_list()
    )
    assert new_name not in earlier
    entity = entity_of(con, "exporter", new_name)
    assert entity is not None
    assert {entity_of(con, "exporter", name) for name in earlier} == {entity}
    con.close()


def test_a_confirmed_firm_back_under_a_new_spelling_is_seen_and_named(
    store: duckdb.DuckDBPyConnection, messy_world: Path
) -> None:
    from transship.detectors import DetectorConfig
    from transship.detectors.returning_firm import ReturningFirm
    from transship.review.decisions import decide
    from transship.run.pipeline import prepare_range

    labels = pl.read_csv(messy_world / "labels.csv", infer_schema=False)
    shipments = store.sql(
        "SELECT shipment_id, arrival_date, exporter FROM shipments ORDER BY arrival_date"
    ).pl()
    joined = shipments.join(labels, on="shipment_id")
    back = joined.filter(pl.col("label") == "returning_firm")
    firm = back["exporter_firm"][0]
    caught = joined.filter(
        (pl.col("exporter_firm") == firm) & pl.col("label").str.starts_with("antimony_oxide_")
    ).row(0, named=True)
    flag_id = flag_shipment(store, caught["shipment_id"])
    decide(store, [flag_id], "confirm", "Invoices traced to China", User("a.lopez", "analyst"))
    store.execute("UPDATE decisions SET decided_at = TIMESTAMP '2024-06-03 10:00:00'")
    returned = back["arrival_date"].min()
    assert returned > date(2024, 6, 4)

    frame = prepare_range(
        store, returned, returned + timedelta(days=60), DetectorConfig.load(), [], []
    ).features
    assert frame is not None
    rows = frame.join(back.select("shipment_id"), on="shipment_id")
    assert rows.height and set(rows["exporter_confirmed_match"]) == {"entity"}
    detector = ReturningFirm().fit(frame)
    scores = detector.score(rows)
    assert (scores == 1.0).all()
    (new_name,) = back["exporter"].unique().to_list()
    reason = detector.reasons(rows.head(1), scores[:1])[0]
    assert reason is not None
    # The firm's old buyer is the confirmed importer too: the exporter leads the reason.
    found = re.match(
        re.escape(
            f"Exporter {new_name} is likely the same firm as {caught['exporter']}, confirmed "
            "by a.lopez on 2024-06-03; match probability "
        )
        + r"(above )?(0\.\d+)[;.]",
        reason,
    )
    assert found, reason
    # The spelling joined the entity by a link at or above the model's threshold.
    assert DEFAULT_THRESHOLD <= float(found[2]) < 1
    # Before the decision nothing matched: the same firm's earlier shipments score 0.
    before = frame.filter(pl.col("arrival_date") <= date(2024, 6, 3))
    assert before.is_empty() or not detector.score(before).any()


def _pick_two_entities(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """Two exporters' entities of several spellings each."""
    rows = con.sql(
        "SELECT entity_id FROM entities WHERE role = 'exporter' AND merged_into IS NULL "
        "AND aliases >= 2 ORDER BY entity_id LIMIT 2"
    ).fetchall()
    return rows[0][0], rows[1][0]


def test_corrections_are_logged_survive_re_resolution_and_win_over_the_model(
    store: duckdb.DuckDBPyConnection,
) -> None:
    analyst = User("a.lopez", "analyst")
    a, b = _pick_two_entities(store)
    merged = merge(store, a, b, "Same registration number", analyst)
    assert merged.entity_id in (a, b)
    both = count(
        store, "SELECT count(*) FROM entity_aliases WHERE entity_id IN ($a, $b)", {"a": a, "b": b}
    )
    assert merged.spellings == both
    third = store.sql(
        "SELECT entity_id FROM entities WHERE role = 'exporter' AND merged_into IS NULL "
        "AND aliases >= 3 AND entity_id NOT IN ($a, $b) ORDER BY entity_id LIMIT 1",
        params={"a": a, "b": b},
    ).fetchall()[0][0]
    held = details(store, third).spellings["alias"].to_list()
    alias = held[-1]
    done = split(store, alias, "Different director and address", analyst)
    assert done.entity_id != third and done.spellings == 1
    log = store.sql(
        "SELECT action, analyst, note, entities FROM entity_corrections ORDER BY correction_id"
    ).pl()
    assert log.rows() == [
        ("merge", "a.lopez", "Same registration number", [a, b]),
        ("split", "a.lopez", "Different director and address", [third]),
    ]

    resolve(store)
    assert count(store, "SELECT count(DISTINCT model_version) FROM entity_models") == 2
    merged_now = details(store, merged.entity_id).spellings
    assert merged_now.height == both
    gone = b if merged.entity_id == a else a
    # An id the merge replaced leads to the merged entity.
    assert details(store, gone).entity["entity_id"] == merged.entity_id
    assert entity_of(store, "exporter", alias) != entity_of(store, "exporter", held[0])
    assert store.sql(
        "SELECT assigned_by FROM entity_aliases WHERE alias = $a", params={"a": alias}
    ).fetchall() == [("analyst",)]
    with pytest.raises(EntityError, match="already one entity"):
        merge(store, a, b, "again", analyst)
    # The latest word wins: a merge after the split joins the spelling back.
    merge(store, alias, held[0], "The invoices say it is the same firm", analyst)
    assert entity_of(store, "exporter", alias) == entity_of(store, "exporter", held[0])


def test_corrections_refuse_what_cannot_be_done(store: duckdb.DuckDBPyConnection) -> None:
    analyst = User("a.lopez", "analyst")
    a, b = _pick_two_entities(store)
    with pytest.raises(EntityError, match="needs a note"):
        merge(store, a, b, "  ", analyst)
    with pytest.raises(UnknownEntityError, match="no entity or spelling"):
        merge(store, a, "Nobody Trading Co", "x", analyst)
    importer = store.sql(
        "SELECT entity_id FROM entities WHERE role = 'importer' LIMIT 1"
    ).fetchall()
    with pytest.raises(EntityError, match="only entities of one role"):
        merge(store, a, importer[0][0], "x", analyst)
    with pytest.raises(EntityError, match="already an entity of its own"):
        split(store, "X", "x", analyst)
    assert count(store, "SELECT count(*) FROM entity_corrections") == 0


def test_the_commands(resolved: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copy(resolved, db)
    out = tmp_path / "spellings.csv"
    listed = runner.invoke(
        app, ["entities", "list", "--format", "csv", "--out", str(out), "--db", str(db)]
    )
    assert listed.exit_code == 0, listed.output
    frame = pl.read_csv(out, infer_schema=False)
    assert frame.columns == list(LIST_COLUMNS)
    assert set(frame["role"]) == {"exporter", "importer"}
    alias = frame.filter(pl.col("role") == "exporter")["alias"][0]
    shown = runner.invoke(app, ["entities", "show", alias, "--db", str(db)])
    assert shown.exit_code == 0 and "Spellings" in shown.output
    unknown = runner.invoke(app, ["entities", "show", "Nobody At All", "--db", str(db)])
    assert unknown.exit_code == 2 and "no entity or spelling" in unknown.output
    unresolved = runner.invoke(
        app, ["entities", "list", "--unresolved", "--format", "csv", "--db", str(db)]
    )
    assert "only a legal form" in unresolved.output
    a, b = frame.filter(pl.col("role") == "exporter")["entity_id"].unique(maintain_order=True)[:2]
    merged = runner.invoke(
        app,
        ["entities", "merge", a, b, "--note", "same firm", "--analyst", "a.lopez", "--db", str(db)],
    )
    assert merged.exit_code == 0, merged.output
    nobody = runner.invoke(
        app, ["entities", "merge", a, b, "--note", "x", "--analyst", "nobody", "--db", str(db)]
    )
    assert nobody.exit_code == 2
    increment = runner.invoke(app, ["entities", "resolve", "--new-only", "--db", str(db)])
    assert increment.exit_code == 0 and "0 new spellings linked" in increment.output
