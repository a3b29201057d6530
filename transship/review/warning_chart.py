"""The Warnings page's chart, drawn as SVG on the server (no script, no CDN): each supplier's
share of an importer's imports of one code over time, one line per main supplier, the
warning's partner drawn heavy, suppliers with a drop or replacement warning on the code in
their colours, the warning's months shaded and China's controls on the importer dashed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from itertools import pairwise
from typing import NamedTuple

import polars as pl

from transship.detectors.base import money
from transship.review.chart import Marker

WIDTH, PLOT_HEIGHT = 880, 210
LEFT, RIGHT, TOP = 48, 16, 34
AXIS, LEGEND_ROW = 26, 18
MAX_SERIES = 6
"""Suppliers drawn one by one (the warning's partner and the others with a warning on the
code first, then the largest); the rest are summed as one line."""
ROLE_LABELS = {"fell": "supply fell", "rose": "replacement"}


@dataclass(frozen=True)
class ShareChart:
    history: pl.DataFrame
    """One code and frequency of ``supplier_history``: period_start, months, partner,
    value_usd, share."""
    frequency: str
    focus: str
    """The warning's partner (alpha-2)."""
    roles: dict[str, str]
    """Partner -> 'fell' or 'rose': suppliers with a drop or replacement warning on the code."""
    names: dict[str, str]
    window: tuple[date, date] | None
    """The first months of the first and last month of the warning's figures."""
    markers: list[Marker]
    title: str


class _Point(NamedTuple):
    period_start: date
    months: date
    """The window's first month."""
    share: float
    value_usd: float


@dataclass(frozen=True)
class _Series:
    partner: str
    label: str
    css: str
    points: list[_Point]


def _month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def share_chart(chart: ShareChart) -> str:
    label = escape(chart.title)
    if chart.history.is_empty():
        return (
            f'<svg class="chart shares" role="img" aria-label="{label}" viewBox="0 0 {WIDTH} '
            f'60" xmlns="http://www.w3.org/2000/svg"><text x="8" y="36">No complete import '
            "statistics of this code to chart.</text></svg>"
        )
    annual = chart.frequency == "annual"
    starts: list[date] = sorted(set(chart.history["period_start"]))
    first = starts[0]
    last = date(starts[-1].year, 12, 31) if annual else _month_end(starts[-1])
    span = max((last - first).days, 1)
    plot_w = WIDTH - LEFT - RIGHT

    def x(day: date) -> float:
        return LEFT + plot_w * (day - first).days / span

    def point_day(start: date) -> date:
        return date(start.year, 7, 1) if annual else start.replace(day=15)

    def y(share: float) -> float:
        return TOP + PLOT_HEIGHT * (1 - share)

    series = _series(chart)
    legend_rows, legend = _legend(chart, series)
    height = TOP + PLOT_HEIGHT + AXIS + LEGEND_ROW * legend_rows + 6
    parts = [
        f'<svg class="chart shares" role="img" aria-label="{label}" viewBox="0 0 {WIDTH} '
        f'{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{label}</title>",
        f'<text class="chart-title" x="{LEFT}" y="18">{label}</text>',
    ]
    if chart.window is not None:
        start = max(chart.window[0], first)
        end = min(
            date(chart.window[1].year, 12, 31) if annual else _month_end(chart.window[1]), last
        )
        if start <= end:
            parts.append(
                f'<rect class="period" x="{x(start):.1f}" y="{TOP}" '
                f'width="{max(x(end) - x(start), 2):.1f}" height="{PLOT_HEIGHT}">'
                "<title>The months this warning's figures cover</title></rect>"
            )
    for tick in range(5):
        share = tick / 4
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(share):.1f}" '
            f'y2="{y(share):.1f}"/><text class="axis" x="{LEFT - 6}" y="{y(share) + 4:.1f}" '
            f'text-anchor="end">{share:.0%}</text>'
        )
    for i, start in enumerate(starts):
        if annual or start.month == 1 or i == 0:
            text = str(start.year) if annual else f"{start:%b %Y}"
            parts.append(
                f'<text class="axis" x="{x(point_day(start)):.1f}" '
                f'y="{TOP + PLOT_HEIGHT + 16}" text-anchor="middle">{text}</text>'
            )
    drawn: set[date] = set()
    for marker in chart.markers:
        if not first <= marker.day <= last or marker.day in drawn:
            continue
        drawn.add(marker.day)
        mx = x(marker.day)
        # Near the right edge the label reads leftwards from its line, so it is not cut off.
        near_end = mx > WIDTH - RIGHT - 6.4 * len(marker.label) - 6
        anchor = f'x="{mx - 3:.1f}" text-anchor="end"' if near_end else f'x="{mx + 3:.1f}"'
        parts.append(
            f'<line class="control" x1="{mx:.1f}" x2="{mx:.1f}" y1="{TOP}" '
            f'y2="{TOP + PLOT_HEIGHT}"/><text class="control-label" {anchor} '
            f'y="{TOP + 10 + 11 * (len(drawn) % 2)}">{escape(marker.label)}</text>'
        )
    step = 366 if annual else 32
    for line in series:
        title = f"<title>{escape(line.label)}</title>"
        segments: list[list[tuple[float, float]]] = []
        previous: date | None = None
        for point in line.points:
            if previous is None or (point.period_start - previous).days > step:
                segments.append([])
            previous = point.period_start
            segments[-1].append((x(point_day(point.period_start)), y(point.share)))
        # A period without statistics is not a zero: across it the line is only dotted.
        for before, after in pairwise(segments):
            (x0, y0), (x1, y1) = before[-1], after[0]
            parts.append(
                f'<polyline class="{line.css} gap" points="{x0:.1f},{y0:.1f} {x1:.1f},{y1:.1f}">'
                f"<title>{escape(line.label)}: no statistics in between</title></polyline>"
            )
        for segment in segments:
            if len(segment) > 1:
                points = " ".join(f"{px:.1f},{py:.1f}" for px, py in segment)
                parts.append(f'<polyline class="{line.css}" points="{points}">{title}</polyline>')
            else:
                ((px, py),) = segment
                parts.append(
                    f'<circle class="{line.css}" cx="{px:.1f}" cy="{py:.1f}" r="2.5">{title}'
                    "</circle>"
                )
        if line.partner != chart.focus:
            continue
        for point in line.points:
            parts.append(
                f'<circle class="point" cx="{x(point_day(point.period_start)):.1f}" '
                f'cy="{y(point.share):.1f}" r="3"><title>{escape(line.label)}, '
                f"{_window_text(point, annual)}: {point.share:.0%} of the value "
                f"({money(point.value_usd)})</title></circle>"
            )
    parts.extend(legend(TOP + PLOT_HEIGHT + AXIS + 8))
    parts.append("</svg>")
    return "".join(parts)


def _window_text(point: _Point, annual: bool) -> str:
    if annual:
        return str(point.period_start.year)
    if point.months == point.period_start:
        return f"{point.period_start:%b %Y}"
    return f"{point.months:%b %Y} to {point.period_start:%b %Y}"


def _points(frame: pl.DataFrame) -> list[_Point]:
    rows = frame.sort("period_start").select("period_start", "months", "share", "value_usd")
    return [_Point(*row) for row in rows.iter_rows()]


def _series(chart: ShareChart) -> list[_Series]:
    """The warning's partner, the code's other warned suppliers, then the largest, each
    its own line; the remaining suppliers as one."""
    history = chart.history
    largest = (
        history.group_by("partner")
        .agg(peak=pl.col("share").max())
        .filter(pl.col("peak") > 0)
        .sort(["peak", "partner"], descending=[True, False])["partner"]
        .to_list()
    )
    wanted = [chart.focus, *sorted(chart.roles), *largest]
    chosen = [p for p in dict.fromkeys(wanted) if p in largest][:MAX_SERIES]
    found = []
    # Each role has its own shades, so two replacements are still told apart.
    shade = {"neutral": 0, "fell": 0, "rose": 0}
    for partner in chosen:
        role = chart.roles.get(partner)
        group = role or "neutral"
        css = f"share s{shade[group]}" if role is None else f"share {role} {role[0]}{shade[group]}"
        shade[group] += 1
        if partner == chart.focus:
            css += " focus"
        name = chart.names.get(partner, partner)
        found.append(
            _Series(
                partner,
                f"{name} ({ROLE_LABELS[role]})" if role else name,
                css,
                _points(history.filter(pl.col("partner") == partner)),
            )
        )
    rest = history.filter(~pl.col("partner").is_in(chosen))
    if rest.height and rest["share"].max() > 0:  # type: ignore[operator]
        others = rest.group_by("period_start", "months").agg(
            pl.col("share").sum(), pl.col("value_usd").sum()
        )
        suppliers = rest.filter(pl.col("share") > 0)["partner"].n_unique()
        found.append(_Series("*", f"{suppliers} other suppliers", "share others", _points(others)))
    return found


def _legend(chart: ShareChart, series: list[_Series]) -> tuple[int, Callable[[float], list[str]]]:
    """How many rows the legend takes, and a function drawing it from a given height."""
    entries: list[tuple[str, str, bool]] = [
        (s.css, s.label, s.partner == chart.focus) for s in series
    ]
    if chart.focus not in {s.partner for s in series}:
        name = chart.names.get(chart.focus, chart.focus)
        entries.append(("share missing", f"{name}: no imports reported", True))
    if chart.window is not None:
        entries.append(("period", "this warning's months", False))
    if chart.markers:
        entries.append(("control", "China's control on it (dashed)", False))
    rows: list[list[tuple[float, str, str, bool]]] = [[]]
    cursor = float(LEFT)
    for css, text, bold in entries:
        width = 30 + (7.2 if bold else 6.4) * len(text)
        if cursor + width > WIDTH - RIGHT and rows[-1]:
            rows.append([])
            cursor = float(LEFT)
        rows[-1].append((cursor, css, text, bold))
        cursor += width + 14

    def draw(top: float) -> list[str]:
        drawn = []
        for r, row in enumerate(rows):
            base = top + LEGEND_ROW * r + 8
            for left, css, text, bold in row:
                if css == "period":
                    swatch = (
                        f'<rect class="period" x="{left:.1f}" y="{base - 9:.1f}" width="22" '
                        'height="10"/>'
                    )
                elif css == "control":
                    swatch = (
                        f'<line class="control" x1="{left + 11:.1f}" x2="{left + 11:.1f}" '
                        f'y1="{base - 10:.1f}" y2="{base + 1:.1f}"/>'
                    )
                else:
                    swatch = (
                        f'<line class="{css}" x1="{left:.1f}" x2="{left + 22:.1f}" '
                        f'y1="{base - 4:.1f}" y2="{base - 4:.1f}"/>'
                    )
                weight = "legend strong" if bold else "legend"
                drawn.append(
                    f'{swatch}<text class="{weight}" x="{left + 28:.1f}" y="{base:.1f}">'
                    f"{escape(text)}</text>"
                )
        return drawn

    return len(rows), draw
