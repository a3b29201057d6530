"""Several importing countries in one store: each gets exactly the flags it gets alone, and
every reason, chart and leg speaks of its own importing country."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from tests.conftest import FIXTURES, OTHER_IMPORTER
from transship.detectors import DetectorConfig
from transship.ingest.flows import ingest_flows
from transship.ingest.shared import korea_customs_mapping
from transship.ingest.shipments import ingest_shipments
from transship.review.evidence import control_markers, flag_evidence
from transship.review.filters import OPTION_NAMES, parse_filters
from transship.review.queue import queue
from transship.review.routes.flags import _chart
from transship.review.warnings import corridor_flags, corridor_link
from transship.run.pipeline import detect
from transship.storage.store import open_store

if TYPE_CHECKING:
    from pathlib import Path

CONTENT = [
    "level",
    "basis",
    "import_country",
    "shipment_id",
    "flag_date",
    "period",
    "origin_country",
    "hs_code",
    "hs6",
    "material",
    "score",
    "severity",
    "detectors",
    "contributions",
    "reasons",
]
BAN_MONTH = date(2024, 12, 1)
"""The month the ban on exports to the US took effect (monthly flags are dated by month)."""


def flags(path: Path, country: str | None = None) -> pl.DataFrame:
    con = duckdb.connect(path, read_only=True)
    frame = con.sql(f"SELECT flag_id, {', '.join(CONTENT)} FROM flags").pl()  # noqa: S608
    con.close()
    if country is not None:
        frame = frame.filter(pl.col("import_country") == country)
    return frame.sort("level", "basis", "shipment_id", "origin_country", "hs6", "period")


def test_each_importing_country_gets_exactly_the_flags_it_gets_alone(
    tiny_store: Path, australian_store: Path, two_country_store: Path
) -> None:
    """Baselines, profiles, corridors, fits and statistics never mix importing countries:
    a store holding the US world and its Australian copy flags each as its own store does,
    ids included."""
    both = flags(two_country_store)
    assert set(both["import_country"]) == {"US", OTHER_IMPORTER}
    for country, alone in (("US", tiny_store), (OTHER_IMPORTER, australian_store)):
        expected = flags(alone)
        assert set(expected["import_country"]) == {country}
        assert expected.height > 100
        assert_frame_equal(flags(two_country_store, country), expected)


def as_australian(reasons: pl.Series) -> pl.Series:
    """The US world's reasons as they read for the same imports into Australia."""
    return (
        reasons.str.replace_all("US-reported imports", "Australian-reported imports")
        .str.replace_all("US imports", "Australian imports")
        .str.replace_all("The US ", "Australia ")
        .str.replace_all("the US", "Australia")
    )


def test_the_same_world_into_another_country_differs_only_in_its_name_and_controls(
    tiny_store: Path, australian_store: Path
) -> None:
    """Before the ban on exports to the US (and in the yearly statistics, which only ask
    whether a licence was in force) the Australian copy's flags are the US world's, word
    for word but the country's name. The ban never applied to Australia: no Australian
    reason speaks of a ban or of the US."""
    us, australia = flags(tiny_store), flags(australian_store)
    before = (pl.col("flag_date") < BAN_MONTH) & (pl.col("basis") == "shipments")
    same = before | (pl.col("basis") == "statistics")
    common = [c for c in CONTENT if c not in ("import_country", "shipment_id", "reasons")]
    us_before, australia_before = us.filter(same), australia.filter(same)
    assert us_before.height > 10
    assert_frame_equal(australia_before.select(common), us_before.select(common))
    assert australia_before["reasons"].to_list() == as_australian(us_before["reasons"]).to_list()
    said = " ".join(australia["reasons"].to_list())
    assert "ban" not in said and "the US" not in said and "US " not in said
    assert "Australian imports of" in said
    assert "China's ban on" in " ".join(us["reasons"].to_list())


def test_the_queue_filters_and_the_evidence_speaks_of_the_flags_importing_country(
    two_country_store: Path,
) -> None:
    con = open_store(two_country_store, read_only=True)
    australian = queue(con, parse_filters({"import_country": "au", "status": "any"}, OPTION_NAMES))
    assert australian.matching > 0
    assert set(australian.rows["import_country"]) == {OTHER_IMPORTER}
    assert set(australian.rows["import_country_name"]) == {"Australia"}
    corridor = con.execute(
        "SELECT flag_id FROM flags WHERE import_country = ? AND level = 'corridor' "
        "AND basis = 'shipments' AND material = 'antimony' ORDER BY score DESC LIMIT 1",
        [OTHER_IMPORTER],
    ).fetchall()[0][0]
    evidence = flag_evidence(con, corridor)
    us_flag = con.execute(
        "SELECT flag_id FROM flags WHERE import_country = 'US' AND level = 'corridor' "
        "AND basis = 'shipments' AND material = 'antimony' ORDER BY score DESC LIMIT 1"
    ).fetchall()[0][0]
    us_evidence = flag_evidence(con, us_flag)
    con.close()
    chart = _chart(evidence)
    assert "Australian imports of" in chart and "Australian trade statistics" in chart
    assert "US" not in chart
    labels = [leg.label for leg in evidence.leg_rows]
    assert any(label.endswith("reported exporting to Australia") for label in labels)
    assert not any("US" in label for label in labels)
    # The ban on exports to the US is not Australia's: not listed, not marked.
    assert {e.measure for e in evidence.controls} == {"licence"}
    assert "ban" not in " ".join(label for _, label in control_markers(evidence.controls))
    assert "ban" in {e.measure for e in us_evidence.controls}
    assert "antimony ban ends" in [label for _, label in control_markers(us_evidence.controls)]
    assert "US imports of" in _chart(us_evidence)


def test_a_warnings_corridor_link_opens_only_its_importers_flags(
    two_country_store: Path,
) -> None:
    """The Warnings page links a warning to the queue filtered to its corridor: in a store
    holding two importing countries, an Australian warning's link opens Australia's flags
    of that corridor and not the US ones."""
    con = open_store(two_country_store, read_only=True)
    origin, hs6 = con.execute(
        "SELECT origin_country, hs6 FROM flags WHERE import_country = ? AND level = 'shipment' "
        "GROUP BY ALL ORDER BY count(*) DESC, origin_country, hs6 LIMIT 1",
        [OTHER_IMPORTER],
    ).fetchall()[0]
    link = corridor_link(origin, hs6, OTHER_IMPORTER)
    shown = queue(con, parse_filters(link, OPTION_NAMES))
    counted = corridor_flags(con, link)
    by_country = dict(
        con.execute(
            "SELECT import_country, count(*) FROM flags WHERE origin_country = ? "
            "AND starts_with(hs_code, ?) GROUP BY ALL",
            [origin, hs6],
        ).fetchall()
    )
    con.close()
    assert by_country.keys() == {"US", OTHER_IMPORTER}
    assert counted == shown.matching == by_country[OTHER_IMPORTER] > 0
    assert set(shown.rows["import_country"]) == {OTHER_IMPORTER}


def test_korean_declarations_speak_of_imports_into_korea(tmp_path: Path) -> None:
    """The checked-in Korean sample through the shipped mapping, with a few statistics
    Korea reports (Malaysia's share of Korea's 8112.92 grows from nothing to 30%),
    backfilled: every flag is Korea's and says so, none names the US."""
    con = open_store(tmp_path / "korea.duckdb")
    list(
        ingest_shipments(
            con, [FIXTURES / "korea" / "korea_declarations_sample.csv"], korea_customs_mapping()
        )
    )
    statistics = tmp_path / "korea_flows.csv"
    statistics.write_text(
        "period,reporter,partner,flow,hs6,value_usd,weight_kg\n"
        "2018,KR,MY,import,811292,400000,2000\n"
        "2019,KR,MY,import,811292,3000000,9000\n"
        "2019,MY,KR,export,811292,500000,2500\n"
        "2019,KR,CN,import,811292,6000000,35000\n"
        "2019,CN,KR,export,811292,1500000,9000\n"
    )
    list(ingest_flows(con, [statistics], "canonical"))
    detect(con, date(2020, 3, 1), date(2020, 3, 31), DetectorConfig.load())
    found = con.sql("SELECT level, basis, import_country, reasons FROM flags").pl()
    flag_id = con.execute(
        "SELECT flag_id FROM flags WHERE level = 'shipment' ORDER BY score DESC LIMIT 1"
    ).fetchall()[0][0]
    evidence = flag_evidence(con, flag_id)
    con.close()
    assert set(found["import_country"]) == {"KR"}
    assert {(r["level"], r["basis"]) for r in found.iter_rows(named=True)} == {
        ("shipment", "shipments"),
        ("corridor", "shipments"),
        ("corridor", "statistics"),
    }
    said = " ".join(found["reasons"].to_list())
    assert "Korean imports of 8112.92 from Malaysia in 2020-03" in said
    assert "Korean imports of 8112.92 from Malaysia in 2019" in said
    assert "Korean-reported imports are 6.0x what Malaysia reported exporting to Korea" in said
    assert "8112.92 (gallium, germanium; also indium, niobium, vanadium)" in said
    assert "US" not in said
    assert "Korean imports of 8112.92 from Malaysia" in _chart(evidence)
    labels = [leg.label for leg in evidence.leg_rows]
    assert "Korea reported importing from Malaysia" in labels
    assert "Malaysia reported exporting to Korea" in labels


def test_each_importing_country_has_its_own_quarterly_fits(
    tiny_store: Path, two_country_store: Path
) -> None:
    def fits(path: Path) -> pl.DataFrame:
        con = duckdb.connect(path, read_only=True)
        frame = con.sql("SELECT quarter, import_country FROM fitted_detectors").pl()
        con.close()
        return frame

    alone, both = fits(tiny_store), fits(two_country_store)
    assert set(both["import_country"]) == {"US", OTHER_IMPORTER}
    for country in ("US", OTHER_IMPORTER):
        quarters = both.filter(pl.col("import_country") == country)["quarter"].sort()
        assert quarters.to_list() == alone["quarter"].sort().to_list()
