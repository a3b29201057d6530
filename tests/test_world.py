"""The synthetic world: deterministic, consistent, and labels visible only through behaviour."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from tests.conftest import TINY_WORLD


@pytest.fixture(scope="module")
def demo_world(world_generator: Any, tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    out = tmp_path_factory.mktemp("world")
    world_generator.generate(out, "demo", seed=11)
    shipments = pl.read_csv(out / "shipments.csv", infer_schema=False)
    labels = pl.read_csv(out / "labels.csv", schema_overrides={"shipment_id": pl.String})
    return shipments.with_row_index("position").join(labels, on="shipment_id")


def test_same_seed_same_bytes(world_generator: Any, tmp_path: Path) -> None:
    world_generator.generate(tmp_path / "a", "tiny", seed=3)
    world_generator.generate(tmp_path / "b", "tiny", seed=3)
    world_generator.generate(tmp_path / "c", "tiny", seed=4)
    for name in ("shipments.csv", "flows.csv", "labels.csv", "world.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "shipments.csv").read_bytes() != (
        tmp_path / "c" / "shipments.csv"
    ).read_bytes()


def test_checked_in_tiny_world_is_what_the_generator_makes(
    world_generator: Any, tmp_path: Path
) -> None:
    manifest = json.loads((TINY_WORLD / "world.json").read_text())
    world_generator.generate(tmp_path, manifest["size"], seed=manifest["seed"])
    for name in ("shipments.csv", "flows.csv", "labels.csv"):
        assert (tmp_path / name).read_bytes() == (TINY_WORLD / name).read_bytes(), name


def test_every_scheme_and_look_alike_is_planted(
    demo_world: pl.DataFrame, world_generator: Any
) -> None:
    counts = dict(demo_world.group_by("label").len().iter_rows())
    for name in [*world_generator.SCHEMES, *world_generator.LOOK_ALIKES]:
        assert counts.get(name, 0) >= 10, name
    assert 10_000 <= demo_world.height <= 100_000
    positives = demo_world.filter(pl.col("positive") == 1)
    assert set(positives["label"].unique()) == set(world_generator.SCHEMES)


def _auc(score: np.ndarray, positive: np.ndarray) -> float:
    ranks = score.argsort().argsort() + 1
    n_pos, n_neg = positive.sum(), len(positive) - positive.sum()
    return float((ranks[positive == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def test_ids_and_row_order_carry_no_label(demo_world: pl.DataFrame) -> None:
    positive = demo_world["positive"].to_numpy()
    id_number = demo_world["shipment_id"].str.slice(2).cast(pl.Int64).to_numpy()
    assert abs(_auc(id_number, positive) - 0.5) < 0.05
    # Within a day, where a planted row sits in the file is random.
    within_day = demo_world.with_columns(
        rank=(pl.col("position").rank() / pl.len()).over("arrival_date")
    )["rank"].to_numpy()
    assert abs(_auc(within_day, positive) - 0.5) < 0.05


def test_rounding_is_the_same_for_planted_and_background_rows(demo_world: pl.DataFrame) -> None:
    decimals = demo_world.select(
        "positive",
        weight=pl.col("weight_kg").str.split(".").list.get(1, null_on_oob=True).str.len_chars(),
        value=pl.col("value_usd").str.split(".").list.get(1, null_on_oob=True).str.len_chars(),
    )
    for column in ("weight", "value"):
        by_class = decimals.group_by("positive").agg(pl.col(column).fill_null(0).max())
        assert by_class[column].n_unique() == 1, column


def test_names_come_from_one_vocabulary(demo_world: pl.DataFrame) -> None:
    def words(frame: pl.DataFrame) -> set[str]:
        names = pl.concat([frame["importer"], frame["exporter"]])
        return set(names.str.split(" ").explode().to_list())

    planted = demo_world.filter(pl.col("positive") == 1)
    background = demo_world.filter(pl.col("label") == "background")
    assert words(planted) <= words(background)


# The planted description slip ("METAL INGOTS SB 99.65") is itself the behaviour the
# description detector looks for, so descriptions are left out of this check.
@pytest.mark.parametrize(
    "column",
    [
        "origin_country",
        "export_country",
        "port_of_lading",
        "port_of_unlading",
        "hs_code",
        "transport_mode",
        "quantity",
        "quantity_unit",
    ],
)
def test_no_single_field_value_gives_the_label_away(demo_world: pl.DataFrame, column: str) -> None:
    purity = (
        demo_world.group_by(column)
        .agg(rows=pl.len(), share=pl.col("positive").mean())
        .filter(pl.col("rows") >= 20)
    )
    assert purity["share"].max() < 0.9, purity.sort("share").tail(3)


def test_trade_statistics_follow_the_shipments(
    demo_world: pl.DataFrame, world_generator: Any
) -> None:
    flows = world_generator.trade_flows(
        world_generator.shipments_with_labels(11, world_generator.SIZES["tiny"]), 11
    )
    assert {"import", "export"} == set(flows["flow"].unique())
    china_to_th = flows.filter(
        (pl.col("reporter") == "CN") & (pl.col("partner") == "TH") & (pl.col("hs6") == "282580")
    )
    before = china_to_th.filter(pl.col("period") < pl.lit("2024-11"))["weight_kg"].mean()
    after = china_to_th.filter(pl.col("period").is_between(pl.lit("2024-11"), pl.lit("2025-06")))[
        "weight_kg"
    ].mean()
    assert after > 2 * before  # hubs import from China what they pass on to the US
    to_us = flows.filter(
        (pl.col("reporter") == "US") & (pl.col("partner") == "CN") & (pl.col("hs6") == "282580")
    )
    assert str(to_us["period"].max()) <= "2024-12"  # direct trade ends with the ban
