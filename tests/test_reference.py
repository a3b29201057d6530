from __future__ import annotations

from typing import TYPE_CHECKING

from tests.conftest import count
from transship import reference
from transship.storage.checks import run_checks

if TYPE_CHECKING:
    import duckdb


def test_every_reference_table_is_filled_and_sourced(con: duckdb.DuckDBPyConnection) -> None:
    for table in reference.TABLES:
        assert count(con, f"SELECT count(*) FROM {table}") > 0, table  # noqa: S608
    sources = dict(con.execute("SELECT ref_table, source FROM ref_sources").fetchall())
    assert set(sources) == set(reference.TABLES)
    assert "ustrade" in sources["ref_hs"] and "pycountry" in sources["ref_countries"]
    assert run_checks(con) == []


def test_hs_hierarchy_reaches_the_controlled_codes(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "SELECT h6.hs_code, h4.hs_code, h2.hs_code FROM ref_hs h6 "
        "JOIN ref_hs h4 ON h4.hs_code = h6.parent JOIN ref_hs h2 ON h2.hs_code = h4.parent "
        "WHERE h6.hs_code = '282580'"
    ).fetchall()
    assert rows == [("282580", "2825", "28")]
    materials = {
        m for (m,) in con.execute("SELECT DISTINCT material FROM ref_controlled_codes").fetchall()
    }
    assert {"antimony", "gallium", "germanium", "graphite"} <= materials


def test_capacity_separates_producers_from_hubs(con: duckdb.DuckDBPyConnection) -> None:
    def stages(material: str, country: str) -> set[tuple[str, str]]:
        return set(
            con.execute(
                "SELECT stage, status FROM ref_capacity WHERE material = ? AND country = ?",
                [material, country],
            ).fetchall()
        )

    assert ("refine", "operating") in stages("antimony", "BE")
    assert not any(stage == "mine" for stage, _ in stages("antimony", "TH"))
    assert stages("gallium", "KZ") == {("refine", "announced")}
    [(start,)] = con.execute(
        "SELECT start_date FROM ref_capacity WHERE material = 'gallium' AND country = 'KZ'"
    ).fetchall()
    assert start.year == 2026
    assert stages("gallium", "MY") == set()


def test_control_timeline_has_the_us_ban(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "SELECT material FROM ref_control_events WHERE measure = 'ban' AND target = 'US' "
        "AND event_date = DATE '2024-12-03' ORDER BY 1"
    ).fetchall()
    assert rows == [("antimony",), ("gallium",), ("germanium",)]


def test_country_aliases_cover_codes_names_and_variants(con: duckdb.DuckDBPyConnection) -> None:
    aliases = dict(con.execute("SELECT alias, code FROM ref_country_aliases").fetchall())
    for alias, code in [
        ("th", "TH"),
        ("tha", "TH"),
        ("thailand", "TH"),
        ("764", "TH"),
        ("south korea", "KR"),
        ("uae", "AE"),
        ("mexico", "MX"),
        ("world", "WLD"),
        ("curacao", "CW"),
    ]:
        assert aliases[alias] == code


def test_reference_is_rebuilt_only_when_it_changes(con: duckdb.DuckDBPyConnection) -> None:
    assert reference.install(con) is False
    con.execute("UPDATE store_meta SET value = 'old' WHERE key = 'reference_version'")
    assert reference.install(con) is True
