"""Learning in a store holding several importing countries: each country learns from its own
decisions, picks from its own arrivals within its own budget, and is scored as it would be
alone in its store, with or without decisions."""

from __future__ import annotations

import shutil
from datetime import date
from typing import TYPE_CHECKING

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.conftest import OTHER_IMPORTER, TINY_WORLD
from tests.test_import_countries import flags
from tests.test_learning import DATED, END, START, config_with, outcomes
from transship.detectors import DetectorConfig
from transship.learning.labels import DEFAULT_COLUMNS
from transship.learning.outcomes import import_outcomes
from transship.learning.replay import Budget, ReplayError, read_label_files, replay
from transship.review.users import add_user
from transship.run.pipeline import detect
from transship.storage.store import open_store

if TYPE_CHECKING:
    from pathlib import Path


def _copy(store: Path, folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(store, folder / store.name)
    return folder / store.name


def _scores(path: Path, country: str) -> pl.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql(
            "SELECT ss.shipment_id, ss.score, ss.base_score, ss.learned, ss.learned_weight, "
            "ss.chosen_for_learning FROM shipment_scores AS ss "
            "JOIN shipments AS s USING (shipment_id) WHERE s.import_country = $country "
            "ORDER BY ss.shipment_id",
            params={"country": country},
        ).pl()


def _learn_us_and_run(path: Path, tmp_path: Path) -> list[str]:
    """The US world's outcomes of mid-2024 to 2025 imported, then 2026-01 to 04 rescored with
    a budget that picks a few shipments a month for learning (the tiny world's hundred
    arrivals a month would round the default budget's picks away)."""
    con = open_store(path)
    try:
        analyst = add_user(con, "a.lopez", "correct horse battery")
        labels = outcomes(con, tmp_path, date(2024, 7, 1), date(2025, 12, 14))
        us_only = pl.read_csv(labels, schema_overrides={"shipment_id": pl.String})
        assert us_only.height > 100 and us_only["shipment_id"].str.starts_with("US").all()
        import_outcomes(con, labels, analyst, DATED)
        return detect(con, START, END, config_with(review_budget=0.5)).learning
    finally:
        con.close()


def test_a_country_learns_from_its_own_decisions_and_the_other_scores_as_alone(
    tiny_store: Path, australian_store: Path, two_country_store: Path, tmp_path: Path
) -> None:
    both = _copy(two_country_store, tmp_path / "both")
    us_alone = _copy(tiny_store, tmp_path / "us")
    learned_in_both = _learn_us_and_run(both, tmp_path / "both")
    learned_alone = _learn_us_and_run(us_alone, tmp_path / "us")

    # Only the US has decisions: only the US has a learner and models, named by country
    # where the run scores several.
    assert learned_in_both and all(line.startswith("US from ") for line in learned_in_both)
    assert [line.removeprefix("US ") for line in learned_in_both] == learned_alone
    with duckdb.connect(str(both), read_only=True) as con:
        keyed = con.sql("SELECT DISTINCT import_country FROM learned_models").fetchall()
    assert keyed == [("US",)]

    us = _scores(both, "US")
    assert us["learned_weight"].max() > 0, "the US learner is in use"
    assert us["chosen_for_learning"].is_not_null().any()
    assert_frame_equal(us, _scores(us_alone, "US"))
    assert_frame_equal(flags(both, "US"), flags(us_alone))

    # Australia decided nothing: no learned part, no picks, exactly its own store's flags.
    australia = _scores(both, OTHER_IMPORTER)
    assert australia.height > 0
    assert australia["learned"].is_null().all()
    assert australia["chosen_for_learning"].is_null().all()
    assert (australia["score"] == australia["base_score"]).all()
    assert_frame_equal(flags(both, OTHER_IMPORTER), flags(australian_store))


def _australian_labels(folder: Path) -> Path:
    """The tiny world's labels under the Australian copy's ids."""
    labels = pl.read_csv(TINY_WORLD / "labels.csv", infer_schema=False)
    path = folder / "labels_au.csv"
    labels.with_columns(
        shipment_id=pl.lit(OTHER_IMPORTER) + pl.col("shipment_id").str.slice(2)
    ).write_csv(path)
    return path


def test_a_replay_is_of_one_importing_country_as_if_alone(
    australian_store: Path, two_country_store: Path, tmp_path: Path
) -> None:
    config = DetectorConfig.load()
    start, end = date(2025, 7, 1), date(2025, 12, 31)
    path = _australian_labels(tmp_path)
    results = []
    for store, country in ((australian_store, None), (two_country_store, OTHER_IMPORTER)):
        with duckdb.connect(str(store), read_only=True) as con:
            labels, _ = read_label_files(con, [path], DEFAULT_COLUMNS)
            results.append(
                replay(con, labels, start, end, Budget(0.1), "month", config, None, None, country)
            )
    alone, among_two = results
    assert alone.import_country == among_two.import_country == OTHER_IMPORTER
    assert alone.summary["learning"]["found"] > 0
    assert alone.summary == among_two.summary
    assert alone.periods == among_two.periods
    assert_frame_equal(alone.scores, among_two.scores)

    with duckdb.connect(str(two_country_store), read_only=True) as con:
        labels, _ = read_label_files(con, [path], DEFAULT_COLUMNS)
        with pytest.raises(ReplayError, match=r"into AU, US arrived .* --import-country"):
            replay(con, labels, start, end, Budget(0.1), "month", config)
        with pytest.raises(ReplayError, match="no stored shipments into JP"):
            replay(con, labels, start, end, Budget(0.1), "month", config, None, None, "JP")
