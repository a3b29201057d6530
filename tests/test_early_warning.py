"""Early warnings from trade statistics: each signal on small literal frames, the bad
inputs (gaps, missing weights, conflicting duplicates), the writers, and the synthetic
world's planted schemes against its look-alikes."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

import polars as pl
import pytest

from tests.conftest import TINY_WORLD
from transship.early_warning import Digest, build_digest, warning_digest, write_digest
from transship.early_warning.config import WarningSettings
from transship.early_warning.series import clean, windows
from transship.early_warning.signals import capacity_levels, imports_of, supplier_shares
from transship.errors import EarlyWarningError
from transship.features.build import Reference

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

NAMES = {
    "US": "United States",
    "CN": "China",
    "TH": "Thailand",
    "IN": "India",
    "BE": "Belgium",
    "HK": "Hong Kong",
    "KZ": "Kazakhstan",
    "JP": "Japan",
    "DE": "Germany",
}


def reference() -> Reference:
    capacity = [
        ("antimony", "CN", "mine", "major", None, "Largest primary producer"),
        ("antimony", "TH", "smelt", "minor", None, "Limited smelting"),
        ("antimony", "BE", "refine", "major", None, "Antimony trioxide producer"),
        ("gallium", "KZ", "refine", "major", date(2026, 7, 1), "Announced supply"),
        ("gallium", "JP", "refine", "major", None, None),
    ]
    return Reference(
        controlled=pl.DataFrame(
            {
                "hs6": ["811010", "811292", "811292"],
                "material": ["antimony", "gallium", "germanium"],
            }
        ),
        capacity=pl.DataFrame(
            capacity,
            schema={
                "material": pl.String,
                "country": pl.String,
                "stage": pl.String,
                "scale": pl.String,
                "start_date": pl.Date,
                "note": pl.String,
            },
            orient="row",
        ).with_columns(status=pl.lit("operating")),
        events=pl.DataFrame(
            schema={
                "effective_date": pl.Date,
                "material": pl.String,
                "measure": pl.String,
                "target": pl.String,
                "description": pl.String,
            }
        ),
        hubs=pl.DataFrame({"country": ["HK"], "note": ["Transit and re-export hub"]}),
        countries=pl.DataFrame({"code": list(NAMES), "name": list(NAMES.values())}),
    )


Row = tuple[str, str, str, str, str, float | None, float | None]


def flows(rows: list[Row], source: str = "test") -> pl.DataFrame:
    """(period, reporter, partner, flow, hs6, value_usd, weight_kg) as stored."""
    frame = pl.DataFrame(
        rows,
        schema={
            "period": pl.String,
            "reporter": pl.String,
            "partner": pl.String,
            "flow": pl.String,
            "hs6": pl.String,
            "value_usd": pl.Float64,
            "weight_kg": pl.Float64,
        },
        orient="row",
    )
    annual = pl.col("period").str.len_chars() == 4
    return frame.with_columns(
        source=pl.lit(source),
        frequency=pl.when(annual).then(pl.lit("annual")).otherwise(pl.lit("monthly")),
        period_start=pl.when(annual)
        .then(pl.concat_str(pl.col("period"), pl.lit("-01-01")))
        .otherwise(pl.concat_str(pl.col("period"), pl.lit("-01")))
        .str.to_date(),
    )


def digest(frame: pl.DataFrame, importer: str = "US", since: date = date(2023, 1, 1)) -> Digest:
    return build_digest(frame, reference(), importer, since)


def kinds(d: Digest) -> list[tuple[str, str]]:
    return [(r["kind"], r["partner"]) for r in d.warnings.iter_rows(named=True)]


def antimony_years(th_2024: float = 1_782_467) -> list[Row]:
    """The US 8110.10 pattern of the real 2022 and 2024 statistics, rounded."""
    return [
        ("2022", "US", "CN", "import", "811010", 31_527_954, 2_356_017),
        ("2022", "US", "TH", "import", "811010", 10_176_601, 804_959),
        ("2022", "US", "IN", "import", "811010", 15_366_657, 1_154_526),
        ("2024", "US", "CN", "import", "811010", 10_393_429, 492_678),
        ("2024", "US", "TH", "import", "811010", 30_178_779, th_2024),
        ("2024", "US", "IN", "import", "811010", 13_500_000, 849_600),
    ]


def test_a_supplier_falling_is_a_drop_and_a_non_producer_taking_over_a_replacement() -> None:
    d = digest(flows(antimony_years()))
    assert kinds(d)[:2] == [("drop", "China"), ("replacement", "Thailand")]
    drop, replacement = d.warnings.row(0, named=True), d.warnings.row(1, named=True)
    assert (drop["hs6"], drop["period"], drop["material"]) == ("811010", "2024", "antimony")
    assert drop["severity"] == "high"
    for text in ("China", "8110.10", "492.7 t / $10.4M", "2,356.0 t / $31.5M", "2022", "-79%"):
        assert text in drop["message"]
    assert "-1,863.3 t" in drop["message"] and "-$21.1M" in drop["message"]
    assert "only minor antimony capacity (Limited smelting)" in replacement["message"]
    assert "1,782.5 t / $30.2M" in replacement["message"]
    assert "805.0 t / $10.2M" in replacement["message"]
    # Thailand's gain (977.5 t) against China's loss (1,863.3 t).
    assert "52% of that loss" in replacement["message"]
    assert 0 <= drop["score"] <= 100 and drop["score"] >= replacement["score"]


def test_a_producer_taking_over_is_no_replacement() -> None:
    rows = [
        (p, r, "BE" if c == "TH" else c, f, h, v, w) for p, r, c, f, h, v, w in antimony_years()
    ]
    d = digest(flows(rows))
    assert ("drop", "China") in kinds(d)
    assert not d.warnings.filter(pl.col("kind") == "replacement").height


def test_announced_capacity_counts_from_its_start_date() -> None:
    frame = pl.DataFrame(
        {
            "partner": ["KZ", "KZ", "JP", "HK"],
            "hs6": ["811292"] * 4,
            "frequency": ["monthly"] * 4,
            "period_start": [
                date(2026, 6, 1),
                date(2026, 7, 1),
                date(2024, 1, 1),
                date(2024, 1, 1),
            ],
        }
    )
    levels = capacity_levels(frame, reference().capacity, reference().controlled, "partner")[
        "capacity_level"
    ].to_list()
    assert levels == ["none", "major", "major", "none"]


def test_a_flow_within_its_usual_range_is_no_drop() -> None:
    d = digest(flows(antimony_years(th_2024=700_000)))
    assert ("drop", "Thailand") not in kinds(d)  # 805 t to 700 t: -13%
    assert not d.warnings.filter(pl.col("kind") == "replacement").height


def test_a_new_supplier_is_compared_without_dividing_by_zero() -> None:
    rows = [r for r in antimony_years() if not (r[0] == "2022" and r[2] == "TH")]
    d = digest(flows(rows))
    replacement = d.warnings.filter(pl.col("kind") == "replacement").row(0, named=True)
    assert "against nothing in 2022 (new" in replacement["message"]


def test_absent_partner_is_zero_but_an_unpublished_month_is_missing() -> None:
    months = [f"2023-{m:02d}" for m in range(1, 13)] + ["2024-01", "2024-03", "2024-04"]
    rows: list[Row] = [(m, "US", "CN", "import", "811010", 1000.0, 100.0) for m in months]
    # Thailand traded only in 2023-03; the US published nothing for 2024-02.
    rows.append(("2023-03", "US", "TH", "import", "811010", 500.0, 50.0))
    result = windows(clean(flows(rows))[0], WarningSettings())
    thailand = result.filter((pl.col("partner") == "TH") & (pl.col("period") == "2023-05"))
    assert thailand["value_usd"].to_list() == [500.0]
    assert thailand["complete"].to_list() == [True]
    china = result.filter(pl.col("partner") == "CN").sort("period_start")
    complete = dict(zip(china["period"], china["complete"], strict=True))
    assert complete["2024-01"] is True
    assert (complete["2024-03"], complete["2024-04"]) == (False, False)
    assert "2024-02" not in complete


def test_no_warning_is_built_on_a_missing_month() -> None:
    # China stops in 2024-03, but the US published nothing for 2024-02: the windows
    # ending 2024-02 to 2024-04 include that month and are not computed.
    rows: list[Row] = []
    for year in (2022, 2023, 2024):
        for month in range(1, 13):
            period = f"{year}-{month:02d}"
            if period == "2024-02":
                continue
            value = 0.0 if (year, month) >= (2024, 3) else 100_000.0
            rows.append((period, "US", "CN", "import", "811010", value, value / 10))
            rows.append((period, "US", "IN", "import", "811010", 100_000.0, 10_000.0))
    d = digest(flows(rows), since=date(2024, 1, 1))
    drops = d.warnings.filter(pl.col("kind") == "drop")
    assert drops["period"].to_list() == ["2024-05"]
    assert drops["note"][0].startswith("also fired for 2024-06, 2024-07")
    for gap_window in ("2024-02", "2024-03", "2024-04"):
        assert gap_window not in drops["note"][0]
    gap = d.skipped.filter(pl.col("reason").str.contains("published no import statistics"))
    assert gap["periods"].to_list() == ["2024-02"]
    assert "no 3-month window that includes them is computed" in gap["reason"][0]


def test_conflicting_duplicates_are_not_guessed_and_exact_ones_count_once() -> None:
    rows = antimony_years()
    conflicting = flows([("2024", "US", "CN", "import", "811010", 9_000_000, 400_000)], "census")
    exact = flows([rows[1]], "census")
    d = digest(pl.concat([flows(rows), conflicting, exact]))
    assert ("drop", "China") not in kinds(d)
    reason = d.skipped.filter(pl.col("partner") == "China")["reason"].to_list()
    assert len(reason) == 1
    assert "conflicting figures" in reason[0]
    assert "$10.4M (test) and $9.0M (census); not used" in reason[0]
    # Thailand's 2022 row came twice with the same figures: counted once.
    kept, problems = clean(pl.concat([flows(rows), conflicting, exact]))
    thailand = kept.filter((pl.col("partner") == "TH") & (pl.col("period_start").dt.year() == 2022))
    assert thailand["weight_kg"].to_list() == [804_959]
    assert problems["partner"].to_list() == ["CN"]


def test_missing_or_zero_weights_are_said_not_divided_by() -> None:
    rows = [
        (p, r, c, f, h, v, 0.0 if (p, c) == ("2024", "CN") else w)
        for p, r, c, f, h, v, w in antimony_years()
    ]
    rows += [
        ("2022", "CN", "US", "export", "811010", 26_000_000, 2_000_000),
        ("2024", "CN", "US", "export", "811010", 7_000_000, None),
    ]
    d = digest(flows(rows))
    drop = d.warnings.filter((pl.col("kind") == "drop") & (pl.col("partner") == "China"))
    assert drop.height == 1
    assert "$10.4M (weight not reported)" in drop["message"][0]
    assert "in dollars" in drop["message"][0]
    assert "compared in dollars" in drop["note"][0]
    price = d.skipped.filter(pl.col("kind") == "price")["reason"].to_list()
    assert price == ["unit value not computed: China's weights cover less than 80% of its value"]


def test_diversion_needs_china_to_a_third_country_up_and_to_the_importer_down() -> None:
    rows: list[Row] = []
    for year in (2022, 2023, 2024):
        for month in range(1, 13):
            period = f"{year}-{month:02d}"
            late = (year, month) >= (2024, 9)
            # Japan's price differs: one price for every partner would be estimated weights.
            for partner, now, price in (("US", 0.1e6, 333), ("HK", 6e6, 333), ("JP", 6e6, 250)):
                value = now if late else 1e6
                rows.append((period, "CN", partner, "export", "811292", value, value / price))
            rows.append((period, "US", "DE", "import", "811292", 4e6, 1e4))
    d = digest(flows(rows), since=date(2024, 1, 1))
    diversions = d.warnings.filter(pl.col("kind") == "diversion").sort("partner")
    assert diversions["partner"].to_list() == ["Hong Kong", "Japan"]
    hong_kong, japan = diversions.row(0, named=True), diversions.row(1, named=True)
    assert hong_kong["material"] == "gallium/germanium"
    assert "to Hong Kong rose to 54.1 t / $18.0M in Sep-Nov 2024" in hong_kong["message"]
    assert "from 9.0 t / $3.0M in Sep-Nov of 2022-2023 (median) (6.0x)" in hong_kong["message"]
    assert "direct exports to the United States fell" in hong_kong["message"]
    assert "Transit and re-export hub" in hong_kong["message"]
    # Japan refines gallium: the rise may be feedstock, and it counts half.
    assert "has major gallium capacity" in japan["message"]
    assert japan["score"] == pytest.approx(hong_kong["score"] / 2, abs=0.1)
    # With China's exports to the US steady there is no diversion.
    steady = [r for r in rows if not (r[1] == "CN" and r[2] == "US")]
    steady += [(r[0], "CN", "US", "export", "811292", 1e6, 3e3) for r in rows if r[2] == "DE"]
    assert len(steady) == len(rows)
    assert not digest(flows(steady)).warnings.filter(pl.col("kind") == "diversion").height


def test_concentration_is_the_herfindahl_index_of_supplier_shares() -> None:
    rows: list[Row] = [
        ("2022", "US", "CN", "import", "811010", 5e6, 4e5),
        ("2022", "US", "IN", "import", "811010", 5e6, 4e5),
        ("2024", "US", "CN", "import", "811010", 9e6, 4e5),
        ("2024", "US", "IN", "import", "811010", 1e6, 4e5),
    ]
    d = digest(flows(rows))
    row = d.warnings.filter(pl.col("kind") == "concentration").row(0, named=True)
    # 90%^2 + 10%^2 = 8,200 against 50%^2 + 50%^2 = 5,000.
    assert "HHI 8,200 in 2024 against 5,000 in 2022 (+3,200)" in row["message"]
    assert "largest suppliers China 90%, India 10%" in row["message"]
    assert row["partner"] == "China"
    shares = supplier_shares(imports_of(windows(clean(flows(rows))[0], WarningSettings()), "US"))
    latest = shares.filter(pl.col("period") == "2024")
    assert latest["partner"].to_list() == ["CN", "IN"]
    assert latest["share"].to_list() == pytest.approx([0.9, 0.1])
    assert latest["base_share"].to_list() == pytest.approx([0.5, 0.5])
    assert latest["hhi"].to_list() == pytest.approx([8200.0, 8200.0])


def test_price_gap_against_china_export_unit_value() -> None:
    rows: list[Row] = [
        ("2022", "US", "IN", "import", "811010", 1.2e6, 1e5),
        ("2024", "US", "IN", "import", "811010", 3.6e6, 1e5),
        ("2022", "CN", "JP", "export", "811010", 1.0e6, 1e5),
        ("2024", "CN", "JP", "export", "811010", 1.0e6, 1e5),
    ]
    row = digest(flows(rows)).warnings.filter(pl.col("kind") == "price").row(0, named=True)
    assert row["message"] == (
        "The United States paid $36.00/kg for antimony (8110.10) imports in 2024 against "
        "China's export price of $10.00/kg (3.60x); in 2022 $12.00/kg against $10.00/kg "
        "(1.20x): the gap widened +200%."
    )


def test_writers(tmp_path: Path) -> None:
    d = digest(flows(antimony_years()))
    (json_path,) = write_digest(d, "json", tmp_path / "w.json")
    document = json.loads(json_path.read_text())
    assert document["import_country"] == "US" and document["since"] == "2023-01-01"
    assert [w["kind"] for w in document["warnings"]] == d.warnings["kind"].to_list()
    assert set(document["warnings"][0]) >= {
        "import_country",
        "material",
        "hs6",
        "period",
        "kind",
        "partner",
        "severity",
        "score",
        "message",
    }
    csv_path, skipped_path = write_digest(d, "csv", tmp_path / "w.csv")
    assert skipped_path.name == "w.skipped.csv"
    back = pl.read_csv(csv_path, schema_overrides={"hs6": pl.String, "period": pl.String})
    assert back["message"].to_list() == d.warnings["message"].to_list()
    assert pl.read_csv(skipped_path).columns == d.skipped.columns
    with pytest.raises(EarlyWarningError, match="format must be one of json, csv"):
        write_digest(d, "xlsx", tmp_path / "w.xlsx")


def test_bad_options_are_named(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(EarlyWarningError, match="not an ISO alpha-2 country code"):
        warning_digest(con, "UK", "2023-01")
    with pytest.raises(EarlyWarningError, match="YYYY or YYYY-MM"):
        warning_digest(con, "US", "January")
    empty = warning_digest(con, "us", "2023")
    assert empty.warnings.is_empty() and empty.import_country == "US"


LOOK_ALIKE_PRODUCERS = ("Belgium", "Japan", "Kazakhstan")


def test_the_world_statistics_show_its_planted_schemes_and_not_its_look_alikes(
    con: duckdb.DuckDBPyConnection,
) -> None:
    from transship.ingest.flows import ingest_flows

    list(ingest_flows(con, [TINY_WORLD / "flows.csv"], "canonical"))
    us = warning_digest(con, "US", "2024-12")
    replaced = us.warnings.filter((pl.col("kind") == "replacement") & (pl.col("hs6") == "282580"))
    # Antimony oxide via Thailand and Mexico after the ban, neither a producer.
    assert set(replaced["partner"]) == {"Thailand", "Mexico"}
    assert set(replaced["severity"]) == {"high"}
    assert ("drop", "China") in {
        (r["kind"], r["partner"])
        for r in us.warnings.filter(pl.col("hs6") == "282580").iter_rows(named=True)
    }
    # Gallium/germanium declared as from Malaysia and the UAE after the licences.
    gallium = us.warnings.filter((pl.col("kind") == "replacement") & (pl.col("hs6") == "811292"))
    assert {"Malaysia", "United Arab Emirates"} <= set(gallium["partner"])
    importers = [r[0] for r in con.execute("SELECT DISTINCT reporter FROM trade_flows").fetchall()]
    for importer in importers:
        found = warning_digest(con, importer, "2023-01").warnings
        named = found.filter(
            pl.col("kind").is_in(["replacement", "diversion"])
            & pl.col("partner").is_in(LOOK_ALIKE_PRODUCERS)
        )
        assert not named.filter(pl.col("kind") == "replacement").height, importer
        for message in named["message"]:
            assert "has major" in message and "no known" not in message, message


def test_a_supplier_without_weights_does_not_hide_anothers_drop() -> None:
    rows = [*antimony_years(), ("2022", "US", "DE", "import", "811010", 2e6, None)]
    d = digest(flows(rows))
    drop = d.warnings.filter((pl.col("kind") == "drop") & (pl.col("partner") == "China"))
    # Tonnes for China's own fall; the share of supply lost in dollars (Germany has no
    # weight): $21.1M of $59.1M.
    assert "-79% in tonnes" in drop["message"][0]
    assert "a loss of 36% of all its 8110.10 imports in 2022" in drop["message"][0]
