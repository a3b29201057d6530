"""The synthetic world: deterministic, consistent, and labels visible only through behaviour.

Every property is checked on the US world and on worlds of another importer (Japan) and
with the extended materials set (tungsten and bismuth), which must hold the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
import pytest

from tests.conftest import TINY_WORLD
from transship.world.generate import PARTS, STAND_IN

if TYPE_CHECKING:
    from pathlib import Path

WORLDS = [("US", "core"), ("JP", "core"), ("US", "extended"), ("JP", "extended")]
WORLD_IDS = ["-".join(world) for world in WORLDS]
# Importers whose worlds are planned (not drawn) in the checks below: every country a
# world can meet, as an origin, a transit country or a part, so each stand-in is checked.
PLANNED = sorted(
    {"US", *STAND_IN, *STAND_IN.values(), *(c for parts in PARTS.values() for c in parts)} - {"CN"}
)


@dataclass(frozen=True)
class Generated:
    rows: pl.DataFrame
    manifest: dict[str, Any]


def _read(out: Path) -> Generated:
    shipments = pl.read_csv(out / "shipments.csv", infer_schema=False)
    labels = pl.read_csv(out / "labels.csv", schema_overrides={"shipment_id": pl.String})
    rows = shipments.with_row_index("position").join(labels, on="shipment_id").sort("position")
    return Generated(rows, json.loads((out / "world.json").read_text()))


@pytest.fixture(scope="module", params=WORLDS, ids=WORLD_IDS)
def demo_world(
    request: pytest.FixtureRequest, world_generator: Any, tmp_path_factory: pytest.TempPathFactory
) -> Generated:
    importer, materials = request.param
    out = tmp_path_factory.mktemp("world")
    world_generator.generate(out, "demo", seed=11, import_country=importer, materials=materials)
    return _read(out)


@pytest.fixture(scope="module")
def catalogue() -> Any:
    from transship import reference

    return reference.catalogue()


@pytest.mark.parametrize(("importer", "materials"), WORLDS, ids=WORLD_IDS)
def test_same_seed_same_bytes(
    world_generator: Any, tmp_path: Path, importer: str, materials: str
) -> None:
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        world_generator.generate(tmp_path / name, "tiny", seed, importer, materials)
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
    for name in ("shipments.csv", "flows.csv", "labels.csv", "world.json"):
        assert (tmp_path / name).read_bytes() == (TINY_WORLD / name).read_bytes(), name


def test_every_scheme_and_look_alike_is_planted(
    demo_world: Generated, world_generator: Any
) -> None:
    rows, manifest = demo_world.rows, demo_world.manifest
    counts = dict(rows.group_by("label").len().iter_rows())
    for name in [*manifest["schemes"], *manifest["look_alikes"]]:
        assert counts.get(name, 0) >= 10, name
    assert 10_000 <= rows.height <= 100_000
    positives = rows.filter(pl.col("positive") == 1)
    assert set(positives["label"].unique()) == set(manifest["schemes"])
    if (manifest.get("import_country", "US"), manifest.get("materials", "core")) == ("US", "core"):
        assert manifest["schemes"] == world_generator.SCHEMES


def _auc(score: np.ndarray, positive: np.ndarray) -> float:
    ranks = score.argsort().argsort() + 1
    n_pos, n_neg = positive.sum(), len(positive) - positive.sum()
    return float((ranks[positive == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def test_ids_and_row_order_carry_no_label(demo_world: Generated) -> None:
    rows = demo_world.rows
    positive = rows["positive"].to_numpy()
    id_number = rows["shipment_id"].str.slice(2).cast(pl.Int64).to_numpy()
    assert abs(_auc(id_number, positive) - 0.5) < 0.05
    # A bijection: as many distinct numbers as rows.
    assert len(np.unique(id_number)) == rows.height
    # Sorted by date, and within a day where a planted row sits in the file is random.
    assert rows["arrival_date"].is_sorted()
    within_day = rows.with_columns(
        rank=(pl.col("position").rank() / pl.len()).over("arrival_date")
    )["rank"].to_numpy()
    assert abs(_auc(within_day, positive) - 0.5) < 0.05


def test_rounding_is_the_same_for_planted_and_background_rows(demo_world: Generated) -> None:
    decimals = demo_world.rows.select(
        "positive",
        weight=pl.col("weight_kg").str.split(".").list.get(1, null_on_oob=True).str.len_chars(),
        value=pl.col("value_usd").str.split(".").list.get(1, null_on_oob=True).str.len_chars(),
    )
    for column in ("weight", "value"):
        by_class = decimals.group_by("positive").agg(pl.col(column).fill_null(0).max())
        assert by_class[column].n_unique() == 1, column


def test_names_come_from_one_vocabulary(demo_world: Generated) -> None:
    def words(frame: pl.DataFrame) -> set[str]:
        names = pl.concat([frame["importer"], frame["exporter"]])
        return set(names.str.split(" ").explode().to_list())

    planted = demo_world.rows.filter(pl.col("positive") == 1)
    background = demo_world.rows.filter(pl.col("label") == "background")
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
def test_no_single_field_value_gives_the_label_away(demo_world: Generated, column: str) -> None:
    purity = (
        demo_world.rows.group_by(column)
        .agg(rows=pl.len(), share=pl.col("positive").mean())
        .filter(pl.col("rows") >= 20)
    )
    assert purity["share"].max() < 0.9, purity.sort("share").tail(3)


def test_a_world_is_its_importer_s(demo_world: Generated, world_generator: Any) -> None:
    rows, manifest = demo_world.rows, demo_world.manifest
    importer = manifest.get("import_country", "US")
    if importer == "US":
        # The US worlds keep the layout they had before other importers existed.
        assert "import_country" not in rows.columns
    else:
        assert rows["import_country"].unique().to_list() == [importer]
    assert rows["shipment_id"].str.starts_with(importer).all()
    assert importer not in set(rows["origin_country"]) | set(rows["export_country"])
    if importer in world_generator.UNLADING:
        ports = {p for mode in world_generator.UNLADING[importer].values() for p in mode}
        assert set(rows["port_of_unlading"]) <= ports


DAY = timedelta(days=1)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _tiny(world_generator: Any, seed: int, importer: str, materials: str = "core") -> Any:
    shipments = world_generator.shipments_with_labels(
        seed, world_generator.SIZES["tiny"], importer, materials
    )
    flows = world_generator.trade_flows(shipments, seed, importer, materials)
    return shipments, flows


def _mean_kg(
    flows: pl.DataFrame, reporter: str, partner: str, hs6: str, first: str, last: str
) -> float:
    mean = flows.filter(
        (pl.col("reporter") == reporter)
        & (pl.col("partner") == partner)
        & (pl.col("hs6") == hs6)
        & pl.col("period").is_between(pl.lit(first), pl.lit(last))
    )["weight_kg"].mean()
    assert isinstance(mean, float), (reporter, partner, hs6, first, last)
    return mean


@pytest.mark.parametrize("importer", ["US", "JP"])
def test_trade_statistics_are_the_importer_s_and_follow_the_shipments(
    world_generator: Any, importer: str
) -> None:
    shipments, flows = _tiny(world_generator, 11, importer)
    assert {"import", "export"} == set(flows["flow"].unique())
    imports = flows.filter(pl.col("flow") == "import")
    exports = flows.filter(pl.col("flow") == "export")
    # The importer's imports by partner, partners' exports to it, China's exports to it
    # and to third countries with their mirror imports from China, nothing else.
    assert set(imports.filter(pl.col("partner") != "CN")["reporter"]) == {importer}
    assert set(exports.filter(pl.col("reporter") != "CN")["partner"]) == {importer}
    assert set(imports.filter(pl.col("reporter") == importer)["partner"]) == set(
        shipments["origin_country"]
    )
    assert flows.filter(
        ~pl.col("reporter").is_in([importer, "CN"]) & ~pl.col("partner").is_in([importer, "CN"])
    ).is_empty()
    if importer != "US":
        assert "US" not in set(flows["reporter"]) | set(flows["partner"])
    # Hubs import from China what they pass on to the importer a month later, once the
    # schemes begin after the control they react to (the ban for the US, else licences).
    passed_from = _month_start(world_generator.control_date("antimony", importer)) - DAY
    before = _mean_kg(flows, "CN", "TH", "282580", "2023-01", f"{passed_from - 31 * DAY:%Y-%m}")
    after = _mean_kg(flows, "CN", "TH", "282580", f"{passed_from:%Y-%m}", "2025-06")
    assert after > 2 * before


def _in_force(catalogue: Any, material: str, importer: str, which: str = "latest") -> date:
    """When the latest (or first) licence or ban on ``material`` for ``importer`` in the
    shipped files took effect."""
    events = catalogue.events.filter(
        (pl.col("material") == material)
        & pl.col("measure").is_in(["licence", "ban"])
        & (
            pl.col("destinations").list.contains("all")
            | pl.col("destinations").list.contains(importer)
        )
    )
    dates = events["effective_date"]
    day = dates.max() if which == "latest" else dates.min()
    assert isinstance(day, date), (material, importer)
    return day


def test_controls_agree_with_the_shipped_materials_files(
    world_generator: Any, catalogue: Any
) -> None:
    shipped = {
        (row["material"], row["measure"], row["effective_date"], tuple(row["destinations"]))
        for row in catalogue.events.filter(pl.col("measure").is_in(["licence", "ban"])).iter_rows(
            named=True
        )
    }
    table = {
        (material, c.measure, c.effective, c.destinations)
        for c in world_generator.CONTROLS
        for material in c.materials
    }
    assert table <= shipped, table - shipped
    # Every licence and ban on a material the table knows is in it (a new ban to Japan in
    # the files must reach the generator).
    known = {material for material, *_ in table}
    assert {row for row in shipped if row[0] in known} == table
    for importer in ("US", "JP", "DE"):
        for material in known:
            assert world_generator.control_date(material, importer) == _in_force(
                catalogue, material, importer
            ), (material, importer)


@pytest.mark.parametrize("importer", ["US", "JP"])
def test_schemes_and_china_s_direct_trade_follow_the_importer_s_controls(
    world_generator: Any, catalogue: Any, importer: str
) -> None:
    shipments, _ = _tiny(world_generator, 5, importer, "extended")
    world = world_generator.plan(importer, "extended")
    materials = {s.label: s.material for s in world.streams if s.label in world.schemes}
    first = dict(
        shipments.filter(pl.col("positive") == 1)
        .group_by("label")
        .agg(pl.col("arrival_date").min())
        .iter_rows()
    )
    for label, material in materials.items():
        # Every scheme reacts to a control on its material that applies to the importer.
        assert first[label] >= _in_force(catalogue, material, importer, "first"), label
    oxide = next(label for label in materials if label.startswith("antimony_oxide"))
    assert first[oxide] >= _in_force(catalogue, "antimony", importer)
    direct = shipments.filter(
        (pl.col("origin_country") == "CN") & (pl.col("hs_code") == "2825800000")
    )["arrival_date"].max()
    ban = _in_force(catalogue, "antimony", "US")
    if importer == "US":
        assert direct < ban  # China's direct trade ends with the ban
    else:
        # No ban on Japan: licensed direct trade goes on, and the rerouting starts after
        # the licences, before the US ban.
        assert direct > ban
        assert first["antimony_oxide_th_vn"] < ban


@pytest.mark.parametrize("importer", PLANNED)
def test_codes_and_producers_agree_with_the_shipped_materials_files(
    world_generator: Any, catalogue: Any, importer: str
) -> None:
    world = world_generator.plan(importer, "extended")
    codes = catalogue.codes.group_by("material").agg("hs6")
    codes = {material: set(hs6) for material, hs6 in codes.iter_rows()}
    capacity = catalogue.capacity

    def producers(material: str, on: date, scale: str = "major") -> set[str]:
        return set(
            capacity.filter(
                (pl.col("material") == material)
                & (pl.col("scale") == scale)
                & (pl.col("start_date").is_null() | (pl.col("start_date") <= on))
                & (pl.col("end_date").is_null() | (pl.col("end_date") >= on))
                & (pl.col("status") != "closed")
            )["country"]
        )

    tagged = [s for s in world.streams if s.material]
    assert {s.material for s in tagged} == set(world.materials)
    for stream in tagged:
        what = (stream.label, stream.origin, stream.hs_code)
        assert (stream.true_hs6 or stream.hs_code[:6]) in codes[stream.material], what
        if stream.label in world.schemes and stream.origin != "CN":
            # Rerouting goes through countries that do not produce the material at scale.
            assert stream.origin not in producers(stream.material, stream.end), what
        elif stream.label not in world.schemes and stream.origin != "CN":
            # Look-alikes and the background's controlled trade come from honest
            # producers when they start shipping: major ones where the files name one
            # besides China and the importer (a stand-in for the importer included).
            honest = producers(stream.material, stream.start) - {"CN", importer}
            if not honest:
                honest = producers(stream.material, stream.start, "minor")
            assert stream.origin in honest, what


@pytest.mark.parametrize("importer", PLANNED)
def test_hub_schemes_go_through_the_shipped_transit_hubs(
    world_generator: Any, importer: str
) -> None:
    from transship import reference

    hubs = set(reference.hubs()["country"])
    world = world_generator.plan(importer)
    for label in ("gallium_parcels_via_hub", "hub_origin_no_production"):
        origins = {s.origin for s in world.streams if s.label == label}
        assert origins and origins <= hubs, (label, origins)


@pytest.mark.parametrize("importer", PLANNED)
def test_every_importer_gets_every_part_and_never_imports_from_itself(
    world_generator: Any, importer: str
) -> None:
    us = world_generator.plan("US", "extended")
    world = world_generator.plan(importer, "extended")
    assert len(world.schemes) == len(us.schemes)
    assert len(world.look_alikes) == len(us.look_alikes)
    assert {s.label for s in world.streams} == {"background", *world.schemes, *world.look_alikes}
    assert len(world.streams) == len(us.streams)
    for stream in world.streams:
        assert importer not in {stream.origin, *(c for c, _ in stream.export_via)}, stream


@pytest.mark.parametrize(
    ("importer", "materials", "problem"),
    [
        ("CN", "core", "CN cannot be the importing country"),
        ("ZZ", "core", "not an ISO 3166 alpha-2 country code"),
        ("USA", "core", "not an ISO 3166 alpha-2 country code"),
        ("JP", "rare-earths", "unknown materials set 'rare-earths'"),
    ],
)
def test_an_unusable_option_is_refused_before_anything_is_written(
    world_generator: Any, tmp_path: Path, importer: str, materials: str, problem: str
) -> None:
    from transship.errors import WorldError

    with pytest.raises(WorldError, match=problem):
        world_generator.generate(tmp_path / "out", "tiny", 1, importer, materials)
    assert not (tmp_path / "out").exists()


def test_the_command_line_refuses_an_unusable_importer(
    world_generator: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = world_generator.main(
        ["--size", "tiny", "--import-country", "CN", "--out", str(tmp_path)]
    )
    assert code == 2
    assert "CN cannot be the importing country" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
