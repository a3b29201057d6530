"""The synthetic world with messy trader names (``--messy-names``): each firm in several
spellings with its true id in the labels, and a caught exporter returning under a new
spelling; everything else as in the world with clean names."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
import pytest

from transship.world.generate import RETURNING, SIZES, generate, shipments_with_labels

if TYPE_CHECKING:
    from pathlib import Path

SCALE = SIZES["tiny"]


@pytest.fixture(scope="module")
def messy() -> pl.DataFrame:
    return shipments_with_labels(5, SCALE, messy_names=True)


def test_only_the_names_and_the_returning_firm_differ_from_the_clean_world(
    messy: pl.DataFrame,
) -> None:
    clean = shipments_with_labels(5, SCALE)
    facts = ["arrival_date", "origin_country", "hs_code", "weight_kg", "value_usd", "label"]
    assert (
        messy.filter(pl.col("label") != RETURNING)
        .select(facts)
        .sort(facts)
        .equals(clean.select(facts).sort(facts))
    )
    # The true firms are the clean world's names, one id each.
    for role in ("exporter", "importer"):
        assert messy[f"{role}_firm"].n_unique() == clean[role].n_unique()


def test_each_spelling_belongs_to_one_firm_and_firms_have_several(messy: pl.DataFrame) -> None:
    for role in ("exporter", "importer"):
        per_spelling = messy.group_by(role).agg(pl.col(f"{role}_firm").n_unique())
        assert per_spelling[f"{role}_firm"].max() == 1
        per_firm = messy.group_by(f"{role}_firm").agg(pl.col(role).n_unique().alias("n"))
        busy = messy.group_by(f"{role}_firm").len().filter(pl.col("len") >= 20)
        several = per_firm.join(busy, on=f"{role}_firm")["n"]
        assert (several >= 2).mean() > 0.7  # type: ignore[operator]
    spellings = set(messy["exporter"]) | set(messy["importer"])
    assert any(s.isupper() for s in spellings)
    assert any("Co., Ltd." in s or "L.L.C." in s for s in spellings)
    assert any(s.endswith(")") for s in spellings)


def test_a_caught_exporter_returns_under_a_spelling_it_never_used(messy: pl.DataFrame) -> None:
    back = messy.filter(pl.col("label") == RETURNING)
    assert back.height > 0 and set(back["positive"]) == {1}
    (spelling,) = back["exporter"].unique().to_list()
    (firm,) = back["exporter_firm"].unique().to_list()
    before = messy.filter((pl.col("exporter_firm") == firm) & (pl.col("label") != RETURNING))
    assert spelling not in set(before["exporter"])
    planted = before.filter(pl.col("label").str.starts_with("antimony_oxide_"))
    assert planted.height > 0 and set(planted["positive"]) == {1}
    assert (back["arrival_date"].min() - planted["arrival_date"].max()).days >= 91  # type: ignore[operator]
    assert set(back["hs_code"]) == {"2825800000"}
    assert set(back["importer_firm"]) <= set(planted["importer_firm"])


def test_messy_worlds_are_reproducible_and_labelled(tmp_path: Path) -> None:
    for name in ("a", "b"):
        manifest = generate(tmp_path / name, "tiny", 3, messy_names=True)
    for name in ("shipments.csv", "labels.csv", "flows.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    labels = pl.read_csv(tmp_path / "a" / "labels.csv", infer_schema=False)
    assert labels.columns == ["shipment_id", "label", "positive", "exporter_firm", "importer_firm"]
    assert manifest["messy_names"] is True and RETURNING in manifest["schemes"]
