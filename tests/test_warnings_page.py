"""The Warnings page's parts on small literal frames: supplier shares over time, who is drawn
as falling or rising, the warning's months, the corridor link and the SVG chart."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from tests.test_early_warning import antimony_years, flows, reference
from transship.early_warning import WarningSettings
from transship.early_warning.history import shares_over_time
from transship.review.chart import Marker
from transship.review.warning_chart import ShareChart, share_chart
from transship.review.warnings import _window, chart_roles, corridor_link


def test_shares_over_time_keep_every_known_window_and_leave_out_unknown_ones() -> None:
    rows = [
        *antimony_years(),
        # 2023: a conflicting duplicate makes Thailand's figure, and so the year, unknown.
        ("2023", "US", "CN", "import", "811010", 20e6, 1.5e6),
        ("2023", "US", "TH", "import", "811010", 12e6, 0.9e6),
    ]
    conflicting = flows([("2023", "US", "TH", "import", "811010", 13e6, 0.9e6)], "other")
    history = shares_over_time(
        pl.concat([flows(rows), conflicting], how="vertical_relaxed"),
        reference(),
        "US",
        WarningSettings(),
    )
    assert history["period"].unique().sort().to_list() == ["2022", "2024"]
    assert history.group_by("period").agg(pl.col("share").sum())["share"].round(9).to_list() == [
        1.0,
        1.0,
    ]
    thailand = history.filter((pl.col("partner") == "TH") & (pl.col("period") == "2024"))
    assert thailand["share"][0] == pytest.approx(30_178_779 / (10_393_429 + 30_178_779 + 13.5e6))


def warning(kind: str, partner: str, replaced: str | None = None) -> dict[str, object]:
    return {
        "import_country": "US",
        "kind": kind,
        "hs6": "811010",
        "partner_code": partner,
        "replaced": replaced,
        "period": "2024",
    }


def test_who_is_drawn_falling_or_rising() -> None:
    every = pl.DataFrame(
        [
            warning("drop", "CN"),
            warning("drop", "OM"),
            warning("replacement", "TH", "CN,OM"),
            warning("replacement", "GB", "OM"),
            warning("diversion", "HK"),
        ]
    )
    assert chart_roles(warning("replacement", "TH", "CN,OM"), every) == {
        "CN": "fell",
        "OM": "fell",
        "TH": "rose",
    }
    assert chart_roles(warning("drop", "CN"), every) == {"CN": "fell", "TH": "rose"}
    assert chart_roles(warning("drop", "OM"), every) == {"OM": "fell", "TH": "rose", "GB": "rose"}
    assert chart_roles(warning("diversion", "HK"), every) == {}


def test_the_warnings_months_and_its_corridor_in_the_queue() -> None:
    assert _window("2025-02", "monthly", 3) == (date(2024, 12, 1), date(2025, 2, 1))
    assert _window("2024", "annual", 3) == (date(2024, 1, 1), date(2024, 12, 1))
    # A monthly warning over a chart of annual statistics has no months to shade.
    assert _window("2024-11", "annual", 3) is None
    # The importer's own corridor: a Korean warning never opens the US flags.
    assert corridor_link("TH", "811010", "KR") == {
        "status": "any",
        "origin": "TH",
        "hs_code": "811010",
        "import_country": "KR",
    }


def history(rows: list[tuple[str, str, float]]) -> pl.DataFrame:
    """(year, partner, share) as supplier_history gives them for one annual code."""
    return pl.DataFrame(
        [
            {
                "hs6": "811010",
                "frequency": "annual",
                "period_start": date(int(year), 1, 1),
                "period": year,
                "months": date(int(year), 1, 1),
                "partner": partner,
                "value_usd": share * 1e6,
                "share": share,
            }
            for year, partner, share in rows
        ]
    )


def chart(frame: pl.DataFrame, **changes: object) -> str:
    settings: dict[str, object] = {
        "history": frame,
        "frequency": "annual",
        "focus": "TH",
        "roles": {"TH": "rose", "CN": "fell"},
        "names": {"TH": "Thailand", "CN": "China", "IN": "<b>India</b>"},
        "window": (date(2024, 1, 1), date(2024, 12, 1)),
        "markers": [
            Marker(date(2024, 9, 15), "antimony licence"),
            Marker(date(2019, 1, 1), "before the chart"),
        ],
        "title": "United States imports of 8110.10 (antimony)",
    }
    settings.update(changes)
    return share_chart(ShareChart(**settings))  # type: ignore[arg-type]


def test_the_chart_draws_each_supplier_the_warning_and_the_controls() -> None:
    frame = history(
        [
            ("2022", "CN", 0.6),
            ("2022", "TH", 0.2),
            ("2022", "IN", 0.2),
            ("2023", "CN", 0.5),
            ("2023", "TH", 0.3),
            ("2023", "IN", 0.2),
            ("2024", "CN", 0.1),
            ("2024", "TH", 0.7),
            ("2024", "IN", 0.2),
        ]
    )
    svg = chart(frame)
    assert svg.count('<polyline class="share rose r0 focus"') == 1
    assert svg.count('<polyline class="share fell f0"') == 1
    assert svg.count('<polyline class="share s0"') == 1
    # The warning's partner has a point per year with its figures.
    assert svg.count('<circle class="point"') == 3
    assert "Thailand (replacement), 2024: 70% of the value ($700k)" in svg
    assert 'class="period"' in svg
    assert "antimony licence</text>" in svg and "before the chart" not in svg
    # Names are escaped.
    assert "&lt;b&gt;India&lt;/b&gt;" in svg and "<b>India" not in svg


def test_a_year_without_statistics_is_dotted_not_drawn_as_a_line() -> None:
    frame = history([("2022", "CN", 0.8), ("2022", "TH", 0.2), ("2024", "TH", 1.0)])
    svg = chart(frame)
    assert '<polyline class="share rose r0 focus gap"' in svg
    assert '<circle class="share rose r0 focus"' in svg
    assert "no statistics in between" in svg


def test_many_suppliers_are_summed_and_a_missing_partner_is_said() -> None:
    partners = ["AA", "BB", "CC", "DD", "EE", "FF", "GG", "HH"]
    frame = history([(y, p, 1 / len(partners)) for y in ("2023", "2024") for p in partners])
    svg = chart(frame, focus="HK", roles={})
    assert svg.count('<polyline class="share s') == 6
    assert "2 other suppliers" in svg
    assert "HK: no imports reported" in svg
    assert "No complete import statistics" in chart(frame.clear())
