"""The corridor chart, drawn as SVG on the server: no script, no CDN, prints cleanly."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from html import escape

import polars as pl

from transship.detectors.base import tonnes

WIDTH, HEIGHT = 880, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 34, 40


@dataclass(frozen=True)
class Marker:
    """A dated vertical line on the chart, such as a control taking effect."""

    day: date
    label: str


def _nice_step(top: float, ticks: int = 4) -> float:
    raw = top / ticks
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * magnitude >= raw:
            return factor * magnitude
    return 10 * magnitude


def corridor_chart(
    months: pl.DataFrame,
    markers: list[Marker],
    highlight: date | None,
    title: str,
    statistics: str,
) -> str:
    """Monthly kilograms as bars (customs records), the trailing 12-month baseline as a
    line, the importing country's reported statistics as dots (``statistics`` names them),
    controls as dashed lines, the flag's month outlined. ``months`` has month, weight_kg,
    baseline_kg and statistics_kg."""
    label = escape(title)
    if months.height == 0:
        return (
            f'<svg class="chart" role="img" aria-label="{label}" viewBox="0 0 {WIDTH} 60" '
            f'xmlns="http://www.w3.org/2000/svg"><text x="8" y="36">No shipments or '
            f"statistics recorded for this corridor.</text></svg>"
        )
    rows = months.to_dicts()
    peak: float = max(
        max(r["weight_kg"] or 0 for r in rows),
        max(r["baseline_kg"] or 0 for r in rows),
        max(r["statistics_kg"] or 0 for r in rows),
        1.0,
    )
    step = _nice_step(peak)
    top = step * math.ceil(peak / step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(rows)
    first: date = rows[0]["month"]
    last: date = rows[-1]["month"]

    def y(kg: float) -> float:
        return TOP + plot_h * (1 - kg / top)

    def x_of(day: date) -> float:
        index = (day.year - first.year) * 12 + day.month - first.month
        return LEFT + slot * (index + (day.day - 1) / 31)

    parts = [
        f'<svg class="chart" role="img" aria-label="{label}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{label}</title>",
        f'<text class="chart-title" x="{LEFT}" y="18">{label}</text>',
    ]
    for tick in range(round(top / step) + 1):
        kg = tick * step
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(kg):.1f}" '
            f'y2="{y(kg):.1f}"/><text class="axis" x="{LEFT - 6}" y="{y(kg) + 4:.1f}" '
            f'text-anchor="end">{escape(tonnes(kg))}</text>'
        )
    for i, r in enumerate(rows):
        x = LEFT + slot * i
        month: date = r["month"]
        is_flag_month = highlight is not None and (month.year, month.month) == (
            highlight.year,
            highlight.month,
        )
        css = "bar flagged" if is_flag_month else "bar"
        height = plot_h * (r["weight_kg"] or 0) / top
        parts.append(
            f'<rect class="{css}" x="{x + slot * 0.12:.1f}" y="{TOP + plot_h - height:.1f}" '
            f'width="{slot * 0.76:.1f}" height="{height:.1f}"><title>{month:%b %Y}: '
            f"{escape(tonnes(r['weight_kg'] or 0))} in {r['shipments']} shipments</title></rect>"
        )
        if r["statistics_kg"] is not None:
            parts.append(
                f'<circle class="statistics" cx="{x + slot / 2:.1f}" '
                f'cy="{y(r["statistics_kg"]):.1f}" r="2.6"><title>{month:%b %Y}: '
                f"{escape(statistics)} {escape(tonnes(r['statistics_kg']))}</title></circle>"
            )
        if month.month == 1 or i == 0:
            parts.append(
                f'<text class="axis" x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}">{month:%b %Y}</text>'
            )
    baseline = [
        f"{LEFT + slot * (i + 0.5):.1f},{y(r['baseline_kg']):.1f}"
        for i, r in enumerate(rows)
        if r["baseline_kg"] is not None
    ]
    if baseline:
        parts.append(f'<polyline class="baseline" points="{" ".join(baseline)}"/>')
    drawn: set[date] = set()
    for marker in markers:
        if not first <= marker.day <= date(last.year, last.month, 28) or marker.day in drawn:
            continue
        drawn.add(marker.day)
        x = x_of(marker.day)
        parts.append(
            f'<line class="control" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{TOP + plot_h}"/>'
            f'<text class="control-label" x="{x + 3:.1f}" y="{TOP + 10 + 11 * (len(drawn) % 2)}">'
            f"{escape(marker.label)}</text>"
        )
    legend_y = HEIGHT - 8
    parts.append(
        f'<rect class="bar" x="{LEFT}" y="{legend_y - 9}" width="10" height="10"/>'
        f'<text class="legend" x="{LEFT + 14}" y="{legend_y}">kg arriving (customs records)</text>'
        f'<rect class="bar flagged" x="{LEFT + 200}" y="{legend_y - 9}" width="10" height="10"/>'
        f'<text class="legend" x="{LEFT + 214}" y="{legend_y}">flag month</text>'
        f'<line class="baseline" x1="{LEFT + 300}" x2="{LEFT + 322}" y1="{legend_y - 4}" '
        f'y2="{legend_y - 4}"/><text class="legend" x="{LEFT + 326}" y="{legend_y}">'
        f"trailing 12-month baseline</text>"
        f'<circle class="statistics" cx="{LEFT + 500}" cy="{legend_y - 4}" r="3"/>'
        f'<text class="legend" x="{LEFT + 508}" y="{legend_y}">{escape(statistics)}</text>'
        f'<line class="control" x1="{LEFT + 640}" x2="{LEFT + 640}" y1="{legend_y - 10}" '
        f'y2="{legend_y + 1}"/><text class="legend" x="{LEFT + 646}" y="{legend_y}">'
        f"China's control takes effect</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
