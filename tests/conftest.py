from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from transship.storage.store import open_store

if TYPE_CHECKING:
    from collections.abc import Iterator

    import duckdb

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
SHARED_DATA = REPO.parent / "shared" / "data"

SHIPMENT_HEADER = (
    "shipment_id,arrival_date,importer,exporter,origin_country,export_country,"
    "port_of_lading,port_of_unlading,hs_code,description,quantity,quantity_unit,"
    "weight_kg,value_usd,transport_mode"
)


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = open_store(tmp_path / "store.duckdb")
    yield connection
    connection.close()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def count(con: duckdb.DuckDBPyConnection, query: str, params: object = None) -> int:
    return int(con.execute(query, params).fetchall()[0][0])


TINY_WORLD = FIXTURES / "world" / "tiny"


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[None]:
    """One temporary Prefect API for every flow test of the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield


@pytest.fixture(scope="session")
def world_generator() -> Any:
    from transship.world import generate

    return generate


@pytest.fixture(scope="session")
def tiny_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the checked-in tiny world, backfilled over its whole period.

    Tests that change it must work on a copy (``copied_tiny_store``).
    """
    from transship.detectors import DetectorConfig
    from transship.ingest.flows import ingest_flows
    from transship.ingest.shipments import ingest_shipments

    path = tmp_path_factory.mktemp("tiny") / "tiny.duckdb"
    con = open_store(path)
    list(ingest_shipments(con, [TINY_WORLD / "shipments.csv"]))
    list(ingest_flows(con, [TINY_WORLD / "flows.csv"], "canonical"))
    backfill_tiny(con, DetectorConfig.load())
    con.close()
    return path


OTHER_IMPORTER = "AU"
"""An importing country the tiny world never mentions: its relabelled copy is all Australia's."""


def relabelled_tiny_world(folder: Path, country: str = OTHER_IMPORTER) -> tuple[Path, Path]:
    """The tiny world as imports into ``country`` instead of the US: the same shipments
    under new ids with an import_country column, and the statistics with the US's place
    taken by ``country`` (China's trade with third countries is the same)."""
    import polars as pl

    folder.mkdir(parents=True, exist_ok=True)
    shipments = pl.read_csv(TINY_WORLD / "shipments.csv", infer_schema=False)
    flows = pl.read_csv(TINY_WORLD / "flows.csv", infer_schema=False)
    assert country not in set(flows["reporter"]) | set(flows["partner"])
    assert not shipments["origin_country"].is_in(["US", country]).any()
    shipments = shipments.with_columns(
        shipment_id=pl.lit(country) + pl.col("shipment_id").str.slice(2),
        import_country=pl.lit(country),
    )
    flows = flows.with_columns(pl.col("reporter", "partner").replace("US", country))
    shipments.write_csv(folder / "shipments.csv")
    flows.write_csv(folder / "flows.csv")
    return folder / "shipments.csv", folder / "flows.csv"


def _backfilled_store(path: Path, shipments: list[Path], flows: list[Path]) -> Path:
    from transship.detectors import DetectorConfig
    from transship.ingest.flows import ingest_flows
    from transship.ingest.shipments import ingest_shipments

    con = open_store(path)
    list(ingest_shipments(con, shipments))
    list(ingest_flows(con, flows, "canonical"))
    backfill_tiny(con, DetectorConfig.load())
    con.close()
    return path


@pytest.fixture(scope="session")
def australian_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny world relabelled as imports into Australia, alone in its store, backfilled."""
    folder = tmp_path_factory.mktemp("australia")
    shipments, flows = relabelled_tiny_world(folder / "world")
    return _backfilled_store(folder / "australia.duckdb", [shipments], [flows])


@pytest.fixture(scope="session")
def two_country_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store holding the tiny US world and the same world relabelled as imports into
    Australia (as a trade-data vendor's file holds several importers), backfilled."""
    folder = tmp_path_factory.mktemp("two-countries")
    shipments, flows = relabelled_tiny_world(folder / "world")
    return _backfilled_store(
        folder / "both.duckdb",
        [TINY_WORLD / "shipments.csv", shipments],
        [TINY_WORLD / "flows.csv", flows],
    )


def backfill_tiny(con: duckdb.DuckDBPyConnection, config: Any) -> None:
    """Score the tiny world's whole period, as a user's full backfill would."""
    from transship.run.pipeline import detect

    detect(con, date(2023, 1, 1), date(2026, 10, 31), config)


def reflag_under_new_rules(con: duckdb.DuckDBPyConnection, flag_id: str) -> str:
    """A copy of a flag as another detector version would raise it: a new id, open."""
    new_id = "Snewversion00001"
    con.execute(
        "INSERT INTO flags SELECT * REPLACE (? AS flag_id, 'dnewversion' AS detector_version, "
        "'open' AS status) FROM flags WHERE flag_id = ?",
        [new_id, flag_id],
    )
    return new_id


@pytest.fixture
def copied_tiny_store(tiny_store: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    copy = tmp_path / "tiny.duckdb"
    shutil.copy(tiny_store, copy)
    connection = open_store(copy)
    yield connection
    connection.close()


PASSWORD = "correct horse battery"
# Names no model can match, each shipped by a 'firm' that trades like a real one.
BAD_NAMES = [
    "X",
    "CO LTD",
    "Co., Ltd.",
    "金属有限公司",
    "\u041e\u041e\u041e \u041c\u0435\u0442\u0430\u043b\u043b",
    "-",
]


@pytest.fixture(scope="session")
def messy_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from transship.world.generate import generate

    out = tmp_path_factory.mktemp("messy")
    generate(out, "demo", 7, messy_names=True)
    return out


def ingest_with_bad_names(con: duckdb.DuckDBPyConnection, world: Path, extra: Path) -> None:
    from transship.ingest.shipments import ingest_shipments

    list(ingest_shipments(con, [world / "shipments.csv", extra]))


def bad_names_file(folder: Path) -> Path:
    rows = [
        f'BAD{i:04d},2024-0{1 + i % 6}-1{i % 9},Pacific Coral Metals LLC,"{name}",TH,TH,'
        "Laem Chabang,Long Beach,2825800000,ANTIMONY TRIOXIDE,,,16000,176000,sea"
        for i, name in enumerate(BAD_NAMES * 3)
    ]
    return write(folder / "bad_names.csv", "\n".join([SHIPMENT_HEADER, *rows]) + "\n")


@pytest.fixture(scope="session")
def resolved(messy_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("resolved")
    path = folder / "store.duckdb"
    con = open_store(path)
    ingest_with_bad_names(con, messy_world, bad_names_file(folder))
    from transship.entities.resolve import resolve
    from transship.review.users import add_user

    resolve(con)
    add_user(con, "a.lopez", PASSWORD)
    add_user(con, "b.okafor", PASSWORD, role="admin")
    con.close()
    return path


def flag_shipment(con: duckdb.DuckDBPyConnection, shipment_id: str) -> str:
    """A shipment flag on ``shipment_id``, as a run would have raised it."""
    con.execute(
        "INSERT INTO runs (run_id, kind, parameters, detector_version, status, started_at) "
        "VALUES (nextval('run_ids'), 'backfill', '{}', 'dtest', 'completed', now())"
    )
    flag_id = f"S{shipment_id}"
    con.execute(
        "INSERT INTO flags (flag_id, level, shipment_id, flag_date, period, origin_country, "
        "hs_code, hs6, material, score, severity, detectors, contributions, reasons, "
        "detector_version, run_id, first_flagged_at, updated_at, import_country) "
        "SELECT $flag, 'shipment', shipment_id, arrival_date, strftime(arrival_date, '%Y-%m'), "
        "origin_country, hs_code, left(hs_code, 6), 'antimony', 70, 'medium', 'relationships', "
        "'{}', 'A new exporter.', 'dtest', currval('run_ids'), now(), now(), import_country "
        "FROM shipments WHERE shipment_id = $shipment",
        {"flag": flag_id, "shipment": shipment_id},
    )
    return flag_id


def empty_copy(
    store: Path, folder: Path, name: str, keep_fits: bool = True
) -> duckdb.DuckDBPyConnection:
    """A copy of ``store`` with its data but without flags, scores or runs (nor stored
    fits, unless kept): what a test runs detection on afresh."""
    path = folder / name
    shutil.copy(store, path)
    con = open_store(path)
    con.execute("DELETE FROM flags")
    con.execute("DELETE FROM shipment_scores")
    con.execute("DELETE FROM runs")
    if not keep_fits:
        con.execute("DELETE FROM fitted_detectors")
    return con
