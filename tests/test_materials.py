"""Materials as data: the shipped files, a user's folder, and what a bad file gets."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from tests.conftest import TINY_WORLD, count
from transship import reference
from transship.cli import app
from transship.errors import MaterialsError
from transship.reference import materials
from transship.settings import Settings
from transship.storage.sql import sql_root
from transship.storage.store import migrate, open_store

if TYPE_CHECKING:
    from pathlib import Path

UNOBTAINIUM = """\
material = "unobtainium"
note = "A fictional material for the tests."

[[source]]
id = "test-brief"
title = "A made-up brief"
publisher = "The tests"
date = "2025-06"

[[code]]
hs6 = "811300"
role = "unwrought"
other_goods = ["cermets"]
source = "test-brief"

[[unit_value]]
hs6 = "811300"
usd_per_kg_low = 900.0
usd_per_kg_high = 1200.0
period_start = 2025-01-01
period_end = 2025-06-30
source = "test-brief"
uncertain = true

[[cover]]
hs6 = "950300"
cover = "toys"
source = "test-brief"

[[capacity]]
country = "KZ"
stage = "refine"
scale = "major"
status = "announced"
start_date = 2026-01-01
source = ["test-brief", "usgs-mcs-2025"]

[[capacity]]
country = "KZ"
stage = "mine"
scale = "minor"
status = "closed"
start_date = 2019-01-01
end_date = 2024-06-30
source = "test-brief"

[[control]]
event_date = 2025-03-01
effective_date = 2025-04-01
measure = "ban"
destinations = ["US", "JP"]
description = "Exports of unobtainium to the United States and Japan banned"
source = "test-brief"
"""


def write_folder(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Every reference row and the installed version: what 'unchanged' means."""
    tables = {
        table: sorted(map(repr, con.execute(f"SELECT * FROM {table}").fetchall()))  # noqa: S608
        for table in (*reference.TABLES, "ref_sources")
    }
    return {"version": reference.installed_version(con), **tables}


def test_the_shipped_materials_load_with_sources_and_scopes(
    con: duckdb.DuckDBPyConnection,
) -> None:
    shipped = {m for (m,) in con.execute("SELECT material FROM ref_materials").fetchall()}
    assert {
        "antimony", "gallium", "germanium", "graphite", "tungsten", "tellurium", "bismuth",
        "molybdenum", "indium", "samarium", "gadolinium", "terbium", "dysprosium", "lutetium",
        "scandium", "yttrium", "all",
    } <= shipped  # fmt: skip
    for table in ("ref_controlled_codes", "ref_unit_values", "ref_cover_codes",
                  "ref_control_events", "ref_capacity"):  # fmt: skip
        uncited = count(
            con,
            f"SELECT count(*) FROM {table} t WHERE len(t.source) = 0 OR EXISTS ("  # noqa: S608
            "SELECT 1 FROM unnest(t.source) s(id) "
            "WHERE id NOT IN (SELECT source_id FROM ref_material_sources))",
        )
        assert uncited == 0, table
    assert count(con, "SELECT count(*) FROM ref_material_sources WHERE url IS NOT NULL") > 5
    scopes = dict(
        con.execute(
            "SELECT material || ' ' || measure || ' ' || effective_date, destinations "
            "FROM ref_control_events"
        ).fetchall()
    )
    assert scopes["antimony ban 2024-12-03"] == ["US"]
    assert scopes["gallium licence 2023-08-01"] == ["all"]
    assert scopes["dysprosium licence 2025-04-04"] == ["all"]
    assert scopes["tungsten licence 2025-02-04"] == ["all"]


def test_shared_codes_say_with_what(con: duckdb.DuckDBPyConnection) -> None:
    rows = {
        (material, hs6): (shared, shared_with, other_goods)
        for material, hs6, shared, shared_with, other_goods in con.execute(
            "SELECT material, hs6, shared, shared_with, other_goods FROM ref_controlled_codes"
        ).fetchall()
    }
    shared, shared_with, other_goods = rows[("gallium", "811292")]
    assert shared and shared_with == ["germanium"]
    assert {"indium", "niobium", "vanadium"} <= set(other_goods)
    assert "gallium" in rows[("tungsten", "282590")][1]
    assert rows[("gallium", "381800")][0]
    assert rows[("antimony", "282580")] == (False, [], None)
    assert ("indium", "811292") not in rows, "indium metal is not controlled"


def test_a_user_folder_adds_a_material(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "mine", {"unobtainium.toml": UNOBTAINIUM})
    assert reference.install(con, folder) is True
    assert con.execute(
        "SELECT hs6, role, shared FROM ref_controlled_codes WHERE material = 'unobtainium'"
    ).fetchall() == [("811300", "unwrought", True)]
    assert con.execute(
        "SELECT country, stage, status, end_date IS NOT NULL FROM ref_capacity "
        "WHERE material = 'unobtainium' ORDER BY stage"
    ).fetchall() == [("KZ", "mine", "closed", True), ("KZ", "refine", "announced", False)]
    assert con.execute(
        "SELECT measure, target, destinations FROM ref_control_events "
        "WHERE material = 'unobtainium'"
    ).fetchall() == [("ban", "US,JP", ["US", "JP"])]
    assert count(con, "SELECT count(*) FROM ref_unit_values WHERE material = 'unobtainium'") == 1
    assert count(con, "SELECT count(*) FROM ref_cover_codes WHERE material = 'unobtainium'") == 1
    [(files,)] = con.execute(
        "SELECT files FROM ref_materials WHERE material = 'unobtainium'"
    ).fetchall()
    assert files == [str(folder / "unobtainium.toml")]
    [(file,)] = con.execute(
        "SELECT file FROM ref_material_sources WHERE source_id = 'test-brief'"
    ).fetchall()
    assert file == str(folder / "unobtainium.toml")
    assert str(folder) in str(
        con.execute("SELECT source FROM ref_sources WHERE ref_table = 'ref_capacity'").fetchall()
    )
    assert count(con, "SELECT count(*) FROM ref_controlled_codes WHERE material = 'gallium'") == 5

    assert reference.install(con) is True, "without the folder the shipped data comes back"
    assert count(con, "SELECT count(*) FROM ref_materials WHERE material = 'unobtainium'") == 0


def test_a_user_file_adds_rows_to_a_shipped_material(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    before = count(con, "SELECT count(*) FROM ref_capacity WHERE material = 'gallium'")
    extra = """\
material = "gallium"

[[capacity]]
country = "VN"
stage = "refine"
scale = "minor"
status = "announced"
start_date = 2027-01-01
note = "A refinery a user knows of"
source = "domain-brief"

[[control]]
event_date = 2025-01-10
effective_date = 2025-01-10
measure = "ban"
destinations = ["JP"]
description = "A ban to Japan (fictional): its scope does not meet the US ban's"
source = "domain-brief"
"""
    folder = write_folder(tmp_path / "mine", {"gallium-more.toml": extra})
    reference.install(con, folder)
    assert count(con, "SELECT count(*) FROM ref_capacity WHERE material = 'gallium'") == before + 1
    assert (
        count(
            con,
            "SELECT count(*) FROM ref_control_events "
            "WHERE material = 'gallium' AND measure = 'ban'",
        )
        == 2
    )
    [(files,)] = con.execute(
        "SELECT files FROM ref_materials WHERE material = 'gallium'"
    ).fetchall()
    assert files == [f"{materials.SHIPPED_LABEL}/gallium.toml", str(folder / "gallium-more.toml")]


# Each bad file marks the line the error must name with "# <-"; the field is the one the
# message must name.
VALID_CODE = '[[code]]\nhs6 = "811300"\nrole = "unwrought"\nsource = "domain-brief"\n'
BAD_FILES: dict[str, tuple[str, str]] = {
    "hs6 not six digits": (
        'material = "unobtainium"\n\n[[code]]\nhs6 = "81130"  # <-\nrole = "ore"\n'
        'source = "domain-brief"\n',
        "hs6",
    ),
    "hs6 as a number": (
        'material = "unobtainium"\n\n[[code]]\nhs6 = 261710  # <-\nrole = "ore"\n'
        'source = "domain-brief"\n',
        "hs6",
    ),
    "hs6 not in HS 2022": (
        'material = "unobtainium"\n\n' + VALID_CODE + '\n[[code]]\nrole = "ore"\n'
        'hs6 = "811290"  # <-\nsource = "domain-brief"\n',
        "hs6",
    ),
    "capacity periods overlap a shipped row": (
        'material = "gallium"\n\n[[capacity]]\ncountry = "CN"\nstage = "refine"\n'
        'scale = "major"\nstatus = "announced"\nstart_date = 2026-01-01  # <-\n'
        'source = "domain-brief"\n',
        "start_date",
    ),
    "capacity periods overlap within the file": (
        'material = "unobtainium"\n\n' + VALID_CODE + "\n[[capacity]]\n"
        'country = "KZ"\nstage = "mine"\nscale = "major"\nstatus = "closed"\n'
        'start_date = 2020-01-01\nend_date = 2022-12-31\nsource = "domain-brief"\n\n'
        '[[capacity]]\ncountry = "KZ"\nstage = "mine"\nscale = "major"\n'
        'status = "operating"\nstart_date = 2022-06-01  # <-\nsource = "domain-brief"\n',
        "start_date",
    ),
    "control overlaps the US ban's scope and period": (
        'material = "antimony"\n\n[[control]]\nevent_date = 2025-01-01\n'
        'effective_date = 2025-01-01  # <-\nmeasure = "ban"\ndestinations = ["JP", "US"]\n'
        'description = "x"\nsource = "domain-brief"\n',
        "effective_date",
    ),
    "unknown country": (
        'material = "unobtainium"\n\n' + VALID_CODE + '\n[[capacity]]\ncountry = "ZZ"  # <-\n'
        'stage = "mine"\nscale = "major"\nstatus = "operating"\nsource = "domain-brief"\n',
        "country",
    ),
    "unknown destination": (
        'material = "unobtainium"\n\n[[control]]\nevent_date = 2025-01-01\n'
        'effective_date = 2025-01-01\nmeasure = "ban"\ndestinations = ["US", "Narnia"]  # <-\n'
        'description = "x"\nsource = "domain-brief"\n',
        "destinations",
    ),
    "missing source": (
        'material = "unobtainium"\n\n[[code]]  # <-\nhs6 = "811300"\nrole = "ore"\n',
        "source",
    ),
    "unknown source": (
        'material = "unobtainium"\n\n[[code]]\nhs6 = "811300"\nrole = "ore"\n'
        'source = ["domain-brief", "my-notes"]  # <-\n',
        "source",
    ),
    "unknown field": (
        'material = "unobtainium"\n\n[[code]]\nhs6 = "811300"\nrole = "ore"\n'
        'colour = "grey"  # <-\nsource = "domain-brief"\n',
        "colour",
    ),
    "unknown top-level key": ('material = "unobtainium"\nsynonyms = ["x"]  # <-\n', "synonyms"),
    "misspelt table": (
        'material = "unobtainium"\n\n[[capacty]]  # <-\ncountry = "KZ"\n',
        "capacty",
    ),
    "missing required field": (
        'material = "unobtainium"\n\n' + VALID_CODE + '\n[[code]]  # <-\nhs6 = "811300"\n'
        'source = "domain-brief"\n',
        "role",
    ),
    "missing material": ('[[code]]\nhs6 = "811300"\n', "material"),
    "unknown role": (
        'material = "unobtainium"\n\n[[code]]\nhs6 = "811300"\nrole = "ingot"  # <-\n'
        'source = "domain-brief"\n',
        "role",
    ),
    "source defined twice": (
        '[[source]]\nid = "usgs-mcs-2025"  # <-\ntitle = "x"\npublisher = "y"\ndate = "2025"\n',
        "id",
    ),
    "end before start": (
        'material = "unobtainium"\n\n' + VALID_CODE + "\n[[unit_value]]\n"
        'hs6 = "811300"\nusd_per_kg_low = 1.0\nusd_per_kg_high = 2.0\n'
        'period_start = 2025-06-01\nperiod_end = 2025-01-01  # <-\nsource = "domain-brief"\n',
        "period_end",
    ),
    "not TOML": ('material = "unobtainium"\n\n[[code]]\nhs6 =  # <-\n', "TOML"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_refused_whole_naming_file_line_and_field(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, case: str
) -> None:
    text, field = BAD_FILES[case]
    folder = write_folder(
        tmp_path / "mine", {"a-good-one.toml": UNOBTAINIUM.replace("unobtainium", "kryptonite")}
    )
    bad = write_folder(folder, {"bad.toml": text}) / "bad.toml"
    before = snapshot(con)

    with pytest.raises(MaterialsError) as refused:
        reference.install(con, folder)

    message = str(refused.value)
    marked = [n for n, line in enumerate(text.splitlines(), start=1) if line.endswith("# <-")]
    expected_line = marked[0] if marked else 1
    assert message.startswith(f"{bad}, line {expected_line}:"), message
    assert field in message, message
    assert snapshot(con) == before, "the store must be unchanged"


def test_positions_skip_multiline_strings() -> None:
    text = 'material = "x"\nnote = """\nrole = "not a key"\n"""\n\n[[code]]\nrole = "ore"\n'
    positions = materials._Positions.scan(text)
    assert positions.line(("code", 0), "role") == 7
    assert positions.line(None, "note") == 2
    assert positions.line(("code", 0), "hs6") == 6, "a missing key points at its table"


def test_open_store_installs_a_folder_and_refuses_a_bad_one(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    folder = write_folder(tmp_path / "mine", {"unobtainium.toml": UNOBTAINIUM})
    open_store(path).close()

    con = open_store(path, read_only=True, materials=folder)
    assert count(con, "SELECT count(*) FROM ref_materials WHERE material = 'unobtainium'") == 1
    con.close()

    bad = UNOBTAINIUM.replace('"KZ"', '"ZZ"')
    line = bad.splitlines().index('country = "ZZ"') + 1
    (folder / "unobtainium.toml").write_text(bad)
    with pytest.raises(MaterialsError, match=f"unobtainium.toml, line {line}: .*`country`"):
        open_store(path, materials=folder)
    con = open_store(path, read_only=True, materials=None)
    assert count(con, "SELECT count(*) FROM ref_materials WHERE material = 'unobtainium'") == 0

    with pytest.raises(MaterialsError, match="no materials folder"):
        open_store(path, materials=tmp_path / "nowhere")
    con.close()


def test_a_changed_user_file_reinstalls(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "mine", {"unobtainium.toml": UNOBTAINIUM})
    assert reference.install(con, folder) is True
    assert reference.install(con, folder) is False
    (folder / "unobtainium.toml").write_text(UNOBTAINIUM.replace("900.0", "950.0"))
    assert reference.install(con, folder) is True
    assert con.execute(
        "SELECT usd_per_kg_low FROM ref_unit_values WHERE hs6 = '811300'"
    ).fetchall() == [(950.0,)]


def test_migration_scopes_the_old_control_events(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    for migration in sorted((sql_root() / "migrations").glob("00[1-8]_*.sql")):
        shutil.copy(migration, folder)
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    migrate(con, folder)
    con.execute(
        "INSERT INTO ref_control_events VALUES "
        "('2023-07-03', '2023-08-01', 'gallium', 'licence', 'all', 'Licences'), "
        "('2024-12-03', '2024-12-03', 'gallium', 'ban', 'US', 'Ban to the US'), "
        "('2025-05-01', '2025-05-01', 'all', 'enforcement', 'all', 'Crackdown')"
    )
    con.execute("INSERT OR REPLACE INTO store_meta VALUES ('reference_version', 'old')")
    migrate(con)
    assert dict(con.execute("SELECT measure, destinations FROM ref_control_events").fetchall()) == {
        "licence": ["all"],
        "ban": ["US"],
        "enforcement": ["all"],
    }
    assert reference.installed_version(con) is None, "the next open reinstalls"
    con.close()


def test_the_setting_names_the_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRANSSHIP_MATERIALS", str(tmp_path))
    assert Settings().materials == tmp_path


def installed(db: Path, material: str) -> int:
    """Whether the store holds the material, read as it is: opening it through transship
    would install the materials of that open."""
    con = duckdb.connect(str(db), read_only=True)
    found = count(con, "SELECT count(*) FROM ref_materials WHERE material = ?", [material])
    con.close()
    return found


def test_the_cli_installs_a_folder_given_by_option_or_setting_and_refuses_a_bad_one(
    tmp_path: Path,
) -> None:
    db = tmp_path / "store.duckdb"
    folder = write_folder(tmp_path / "mine", {"unobtainium.toml": UNOBTAINIUM})
    runner = CliRunner()

    done = runner.invoke(app, ["init", "--db", str(db), "--materials", str(folder)])
    assert done.exit_code == 0, done.output
    assert installed(db, "unobtainium") == 1

    other = write_folder(
        tmp_path / "theirs", {"kryptonite.toml": UNOBTAINIUM.replace("unobtainium", "kryptonite")}
    )
    listed = runner.invoke(
        app, ["summary", "--db", str(db)], env={"TRANSSHIP_MATERIALS": str(other)}
    )
    assert listed.exit_code == 0, listed.output
    assert installed(db, "kryptonite") == 1 and installed(db, "unobtainium") == 0

    bad = UNOBTAINIUM.replace('"KZ"', '"ZZ"')
    line = bad.splitlines().index('country = "ZZ"') + 1
    (folder / "unobtainium.toml").write_text(bad)
    refused = runner.invoke(app, ["flags", "--db", str(db), "--materials", str(folder)])
    assert refused.exit_code == 2
    assert f"{folder / 'unobtainium.toml'}, line {line}: " in refused.output
    assert "`country`" in refused.output
    assert installed(db, "unobtainium") == 0


def test_a_fictional_material_from_a_user_folder_is_flagged_by_name(tmp_path: Path) -> None:
    """Adding a material is a data change: a made-up material on a real HS 2022 code no
    shipped file uses, a planted surge of it from a country that does not produce it, and
    the backfill flags it with the material's name in the reasons."""
    folder = write_folder(tmp_path / "mine", {"unobtainium.toml": UNOBTAINIUM})
    assert "811300" not in set(reference.catalogue().codes["hs6"])
    world = tmp_path / "world"
    world.mkdir()
    shutil.copy(TINY_WORLD / "shipments.csv", world / "shipments.csv")
    flows = pl.read_csv(TINY_WORLD / "flows.csv", infer_schema=False)
    # US imports of 8113.00 from Malaysia, at unobtainium's price: $1M in Jan-Oct 2025,
    # four times that in Jan-Oct 2026, after the ban on exports to the US.
    planted = pl.DataFrame(
        [
            (f"{year}-{month:02d}", "US", "MY", "import", "811300", str(usd), str(usd / 1000))
            for year, usd in ((2025, 100_000.0), (2026, 400_000.0))
            for month in range(1, 11)
        ],
        schema=flows.columns,
        orient="row",
    )
    pl.concat([flows, planted]).write_csv(world / "flows.csv")
    db = tmp_path / "store.duckdb"
    runner = CliRunner()
    for args in (
        ["ingest", "shipments", str(world / "shipments.csv")],
        ["ingest", "flows", str(world / "flows.csv")],
        ["backfill", "--start", "2023-01-01", "--end", "2026-10-31"],
    ):
        done = runner.invoke(app, [*args, "--db", str(db), "--materials", str(folder)])
        assert done.exit_code == 0, done.output
    con = duckdb.connect(db, read_only=True)
    flagged = con.execute(
        "SELECT material, reasons FROM flags WHERE basis = 'statistics' AND hs6 = '811300' "
        "AND origin_country = 'MY'"
    ).fetchall()
    con.close()
    assert flagged, "the planted unobtainium surge is not flagged"
    material, reasons = flagged[0]
    assert material == "unobtainium"
    assert "Malaysia has no known production or refining capacity for 8113.00 (unobtainium" in (
        reasons
    )


NIOBIUM_LIKE = """\
material = "{name}"
controlled = false

[[code]]
hs6 = "{hs6}"
role = "unwrought"
source = "usgs-mcs-2025"

[[capacity]]
country = "PE"
stage = "mine"
scale = "major"
status = "operating"
source = "usgs-mcs-2025"
"""


def test_a_material_that_is_not_controlled_names_the_codes_it_shares() -> None:
    """Niobium, vanadium and zirconium share controlled codes: their producers count as
    capacity for those codes, and the codes name them among their other goods."""
    found = reference.catalogue()
    codes = found.codes.filter(pl.col("hs6") == "811292")
    assert not codes.filter(pl.col("material") == "niobium").height, "niobium is not controlled"
    assert {"niobium", "vanadium"} <= set(codes["other_goods"][0])
    oxide = found.codes.filter(pl.col("hs6") == "282560").row(0, named=True)
    assert oxide["material"] == "germanium" and oxide["other_goods"] == ["zirconium"]
    notes = dict(found.materials.select("material", "note").iter_rows())
    assert notes["niobium"].startswith(materials.NOT_CONTROLLED)
    brazil = found.capacity.filter((pl.col("material") == "niobium") & (pl.col("country") == "BR"))
    assert brazil.height and brazil["source"][0].to_list() == ["usgs-mcs-2025"]


@pytest.mark.parametrize(
    ("files", "said"),
    [
        (
            {"tin.toml": NIOBIUM_LIKE.format(name="tin", hs6="800110")},
            "800110 is no controlled material's code: tin is not controlled",
        ),
        (
            {
                "tin.toml": NIOBIUM_LIKE.format(name="tin", hs6="282590")
                + '\n[[cover]]\nhs6 = "950300"\ncover = "toys"\nsource = "usgs-mcs-2025"\n'
            },
            "a material that is not controlled holds only capacity, code, source",
        ),
        (
            {
                "niobium.toml": 'material = "niobium"\n[[capacity]]\ncountry = "PE"\n'
                'stage = "mine"\nscale = "minor"\nstatus = "operating"\n'
                'source = "usgs-mcs-2025"\n'
            },
            "niobium is not controlled in transship/reference/materials/niobium.toml",
        ),
    ],
)
def test_a_material_that_is_not_controlled_is_checked(
    tmp_path: Path, files: dict[str, str], said: str
) -> None:
    with pytest.raises(MaterialsError, match=said):
        reference.catalogue(write_folder(tmp_path / "mine", files))
