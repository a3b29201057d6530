"""The warning digest for one importing country: every signal since a period, ranked,
each in plain words with its numbers; what could not be computed is listed with why."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from transship.detectors.base import code, money, tonnes
from transship.early_warning.config import KINDS, WarningSettings
from transship.early_warning.series import clean, missing_periods, windows
from transship.early_warning.signals import (
    CHINA,
    concentration,
    diversions,
    drops,
    imports_of,
    period_end,
    price_gaps,
    replacements,
    severity,
)
from transship.errors import EarlyWarningError
from transship.features.build import Reference, materials
from transship.storage.sql import load, sql_frame

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

WARNING_SCHEMA = {
    "import_country": pl.String,
    "material": pl.String,
    "hs6": pl.String,
    "period": pl.String,
    "kind": pl.String,
    "partner": pl.String,
    "partner_code": pl.String,
    "replaced": pl.String,
    "severity": pl.String,
    "score": pl.Float64,
    "message": pl.String,
    "note": pl.String,
}
SKIPPED_SCHEMA = {
    "import_country": pl.String,
    "material": pl.String,
    "hs6": pl.String,
    "kind": pl.String,
    "partner": pl.String,
    "periods": pl.String,
    "reason": pl.String,
}
FORMATS = ("json", "csv")
WITH_ARTICLE = {"US", "GB", "NL", "AE", "PH", "CZ", "DO", "BS", "GM", "CF", "KY", "VG", "MV"}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Digest:
    import_country: str
    since: date
    warnings: pl.DataFrame
    """One row per warning, ranked: ``WARNING_SCHEMA``. ``partner`` is the partner's name,
    ``partner_code`` its alpha-2 code; ``replaced`` lists, for a replacement, the codes of
    the suppliers whose fall it made up (comma-separated)."""
    skipped: pl.DataFrame
    """What could not be computed and why: ``SKIPPED_SCHEMA``."""


def parse_since(text: str) -> date:
    """'2023' or '2023-01' as the first day of that year or month."""
    parts = text.strip().split("-")
    problem = EarlyWarningError(f"since must be YYYY or YYYY-MM, got {text!r}")
    if len(parts) > 2:
        raise problem
    try:
        numbers = [int(p) for p in parts]
        return date(numbers[0], numbers[1] if len(numbers) == 2 else 1, 1)
    except ValueError as exc:
        raise problem from exc


def warning_digest(
    con: duckdb.DuckDBPyConnection,
    import_country: str,
    since: str,
    settings: WarningSettings | None = None,
) -> Digest:
    """Early warnings for ``import_country`` (ISO alpha-2) for periods ending on or after
    ``since`` (YYYY or YYYY-MM), from the store's trade statistics."""
    country = import_country.strip().upper()
    reference = Reference.load(con)
    if country not in set(reference.countries["code"]):
        raise EarlyWarningError(
            f"{import_country!r} is not an ISO alpha-2 country code (for example US, JP, KR)"
        )
    flows = sql_frame(con, load("early_warning/warning_statistics"), {"import_country": country})
    return build_digest(flows, reference, country, parse_since(since), settings)


def build_digest(
    flows: pl.DataFrame,
    reference: Reference,
    import_country: str,
    since: date,
    settings: WarningSettings | None = None,
) -> Digest:
    """The digest from trade statistics (``trade_flows`` columns) and reference tables."""
    settings = settings or WarningSettings()
    names = dict(reference.countries.select("code", "name").iter_rows())
    names.setdefault(import_country, import_country)
    mats = materials(reference)
    rows, problems = clean(flows.filter(pl.col("hs6").is_in(mats["hs6"].implode())))
    frame = windows(rows, settings)
    imports = imports_of(frame, import_country)
    fired_drops = drops(imports, settings)
    found = [
        fired_drops,
        replacements(imports, fired_drops, reference.capacity, reference.controlled, settings),
        diversions(
            frame,
            imports,
            import_country,
            reference.capacity,
            reference.controlled,
            reference.hubs,
            settings,
        ),
        concentration(imports, settings),
    ]
    prices = price_gaps(frame, import_country, settings)
    if not prices.is_empty():
        found.append(prices.filter(pl.col("fired")))
    context = _Context(import_country, names, dict(mats.iter_rows()), settings, {})
    context.mirror.update(_mirror(imports, context))
    records: list[dict[str, Any]] = []
    for signals in found:
        if signals.is_empty():
            continue
        recent = signals.filter(period_end() >= since)
        records.extend(context.warning(r) for r in recent.iter_rows(named=True))
    warnings = _ranked(pl.DataFrame(records, schema=WARNING_SCHEMA), settings)
    skipped = _skipped(rows, problems, frame, prices, context, since)
    return Digest(import_country, since, warnings, skipped)


def _ranked(warnings: pl.DataFrame, settings: WarningSettings) -> pl.DataFrame:
    """One row per signal, code and partner (its strongest period, the earliest of equals,
    the others in the note), highest score first."""
    order = {kind: i for i, kind in enumerate(KINDS)}
    keys = ["kind", "hs6", "partner", "frequency"]
    ranked = warnings.with_columns(
        frequency=pl.col("period").str.len_chars(), kind_order=pl.col("kind").replace_strict(order)
    ).sort(["score", "period"], descending=[True, False])
    others = ranked.group_by(keys).agg(
        other_periods=pl.col("period").slice(1).sort(), count=pl.len()
    )
    best = ranked.unique(keys, keep="first", maintain_order=True).join(others, on=keys)
    also = pl.format("also fired for {}", pl.col("other_periods").list.join(", "))
    best = best.with_columns(
        note=pl.when(pl.col("count") > 1)
        .then(pl.concat_str([pl.col("note"), also], separator="; ", ignore_nulls=True))
        .otherwise(pl.col("note")),
        score=pl.col("score").round(1),
    ).with_columns(severity=severity(pl.col("score"), settings))
    return best.sort(
        ["score", "kind_order", "hs6", "partner"], descending=[True, False, False, False]
    ).select(WARNING_SCHEMA.keys())


def amount(kg: float | None, usd: float | None) -> str:
    """'1,782.5 t / $30.2M'; the weight is said to be missing rather than guessed."""
    value = money(usd or 0.0)
    if kg is None:
        return f"{value} (weight not reported)"
    return f"{tonnes(kg)} / {value}"


def _ratio(now: float, before: float) -> str:
    if before == 0:
        return "new"
    change = now / before - 1
    return f"{change:+.0%}" if abs(change) < 1 else f"{now / before:,.1f}x"


@dataclass(frozen=True)
class _Context:
    importer: str
    names: dict[str, str]
    materials: dict[str, str]
    settings: WarningSettings
    mirror: dict[tuple[str, int], str]
    """(hs6, year) -> the importer's own annual imports from China, in words."""

    def name(self, country: str) -> str:
        name = self.names.get(country, country)
        return f"the {name}" if country in WITH_ARTICLE else name

    def owner(self, country: str) -> str:
        """'Japan's', 'the United States''."""
        name = self.name(country)
        return f"{name}'" if name.endswith("s") else f"{name}'s"

    def title(self, country: str) -> str:
        name = self.name(country)
        return name[0].upper() + name[1:]

    def good(self, hs6: str) -> str:
        return f"{self.materials.get(hs6, 'controlled goods')} ({code(hs6)})"

    def window(self, r: dict[str, Any]) -> str:
        """'2024' or 'Sep-Nov 2024' (months across a year end: 'Nov 2024-Jan 2025')."""
        if r["frequency"] == "annual":
            return str(r["period_start"].year)
        first, last = r["months"], r["period_start"]
        if first == last:
            return f"{MONTHS[last.month - 1]} {last.year}"
        if first.year == last.year:
            return f"{MONTHS[first.month - 1]}-{MONTHS[last.month - 1]} {last.year}"
        return f"{MONTHS[first.month - 1]} {first.year}-{MONTHS[last.month - 1]} {last.year}"

    def baseline(self, r: dict[str, Any]) -> str:
        years = list(r["base_years"])
        if r["frequency"] == "annual":
            span = str(years[0]) if len(years) == 1 else f"{_years(years)} (median)"
            return span
        first, last = r["months"], r["period_start"]
        months = (
            MONTHS[last.month - 1]
            if first == last
            else f"{MONTHS[first.month - 1]}-{MONTHS[last.month - 1]}"
        )
        if first.year != last.year:
            months = f"{MONTHS[first.month - 1]}-{MONTHS[last.month - 1]} (across the year end)"
        if len(years) == 1:
            return f"{months} {years[0]}"
        return f"{months} of {_years(years)} (median)"

    def warning(self, r: dict[str, Any]) -> dict[str, Any]:
        kind = r["kind"]
        text = getattr(self, f"_{kind}")(r)
        return {
            "import_country": self.importer,
            "material": self.materials.get(r["hs6"]),
            "hs6": r["hs6"],
            "period": r["period"],
            "kind": kind,
            "partner": self.names.get(r["partner"], r["partner"]),
            "partner_code": r["partner"],
            "replaced": ",".join(r["dropped"]) if kind == "replacement" else None,
            "severity": "",
            "score": float(r["score"]),
            "message": text,
            "note": r.get("note"),
        }

    def _drop(self, r: dict[str, Any]) -> str:
        lost = [money(r["lost_usd"])]
        if r["lost_kg"] is not None:
            lost.insert(0, tonnes(r["lost_kg"]))
        measure = "in tonnes" if r["unit"] == "kg" else "in dollars"
        return (
            f"{self.title(self.owner(self.importer))} imports of {self.good(r['hs6'])} from "
            f"{self.name(r['partner'])} fell to {amount(r['weight_kg'], r['value_usd'])} in "
            f"{self.window(r)} from {amount(r['base_weight_kg'], r['base_value_usd'])} in "
            f"{self.baseline(r)} ({-r['fall']:+.0%} {measure}: "
            f"{', '.join('-' + x for x in lost)}), a loss of {r['lost_share']:.0%} of all its "
            f"{code(r['hs6'])} imports in {self.baseline(r)}."
        )

    def _capacity(self, r: dict[str, Any]) -> str:
        """'no known antimony production', 'only minor antimony capacity (...)'."""
        material = r["capacity_material"] or self.materials.get(r["hs6"], "")
        detail = f" ({r['capacity_detail']})" if r["capacity_detail"] else ""
        if r["capacity_level"] == "minor":
            return f"only minor {material} capacity{detail}"
        if r["capacity_level"] == "major":
            return f"major {material} capacity{detail}"
        return f"no known {self.materials.get(r['hs6'])} production, refining or recycling"

    def _replacement(self, r: dict[str, Any]) -> str:
        partner = self.name(r["partner"])
        dropped = _listed([self.name(c) for c in r["dropped"]])
        gain = (
            f"+{tonnes(r['gain_kg'])}, +{money(r['gain_usd'])}"
            if r["gain_kg"] is not None
            else f"+{money(r['gain_usd'])}"
        )
        before = "nothing" if r["before"] == 0 else amount(r["base_weight_kg"], r["base_value_usd"])
        return (
            f"{self.title(partner)}, with {self._capacity(r)}, supplied "
            f"{amount(r['weight_kg'], r['value_usd'])} of {self.owner(self.importer)} "
            f"{self.good(r['hs6'])} imports in {self.window(r)} against {before} in "
            f"{self.baseline(r)} ({_ratio(r['now'], r['before'])}, {gain}), while imports from "
            f"{dropped} fell by {amount(r['dropped_kg'], r['dropped_usd'])}: {partner} made up "
            f"{r['replaced']:.0%} of that loss."
        )

    def _diversion(self, r: dict[str, Any]) -> str:
        me = self.name(self.importer)
        partner = self.name(r["partner"])
        before = "nothing" if r["before"] == 0 else amount(r["base_weight_kg"], r["base_value_usd"])
        text = (
            f"China's exports of {self.good(r['hs6'])} to {partner} rose to "
            f"{amount(r['weight_kg'], r['value_usd'])} in {self.window(r)} from {before} in "
            f"{self.baseline(r)} ({_ratio(r['now'], r['before'])}), while its direct exports "
            f"to {me} fell to {amount(r['direct_weight_kg'], r['direct_value_usd'])} from "
            f"{amount(r['direct_base_weight_kg'], r['direct_base_value_usd'])} "
            f"({-r['direct_fall']:+.0%}). The gain of {money(r['gain_usd'])} equals "
            f"{r['gain_share']:.0%} of {self.owner(self.importer)} {code(r['hs6'])} imports "
            f"over as many months ({money(r['supply_usd'])}, from {r['supply_basis']})."
        )
        if r["hub_note"]:
            text += f" {self.title(partner)} is on the hub list: {r['hub_note']}."
        if r["capacity_level"] == "major":
            text += (
                f" {self.title(partner)} has {self._capacity(r)}: the rise may be feedstock for "
                "its own production."
            )
        mirror = self.mirror.get((r["hs6"], r["period_start"].year))
        if mirror:
            text += f" {self.title(self.owner(self.importer))} own statistics: {mirror}."
        return (
            text
            + " Both legs are China's statistics: they show the corridor, not the goods' end use."
        )

    def _concentration(self, r: dict[str, Any]) -> str:
        def top(items: list[dict[str, Any]]) -> str:
            return ", ".join(f"{self.name(i['partner'])} {i['share']:.0%}" for i in items)

        return (
            f"{self.title(self.owner(self.importer))} imports of {self.good(r['hs6'])} became "
            f"more concentrated: HHI {r['hhi']:,.0f} in {self.window(r)} against "
            f"{r['base_hhi']:,.0f} in {self.baseline(r)} (+{r['increase']:,.0f}); largest "
            f"suppliers {top(r['top'])} (before: {top(r['base_top'])})."
        )

    def _price(self, r: dict[str, Any]) -> str:
        text = (
            f"{self.title(self.name(self.importer))} paid ${r['unit_value']:,.2f}/kg for "
            f"{self.good(r['hs6'])} imports in {self.window(r)} against China's export price "
            f"of ${r['cn_unit_value']:,.2f}/kg ({r['gap']:.2f}x); in {self.baseline(r)} "
            f"${r['base_unit_value']:,.2f}/kg against ${r['cn_base_unit_value']:,.2f}/kg "
            f"({r['base_gap']:.2f}x): the gap widened {r['change'] - 1:+.0%}."
        )
        if "/" in self.materials.get(r["hs6"], ""):
            text += f" {code(r['hs6'])} holds several metals, so its unit values mix them."
        return text


def _listed(items: list[str]) -> str:
    """'China', 'China and Oman', 'China, Oman and India'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _mirror(imports: pl.DataFrame, context: _Context) -> dict[tuple[str, int], str]:
    """The importer's annual imports from China in words, by code and year."""
    rows = imports.filter(
        (pl.col("partner") == CHINA) & (pl.col("frequency") == "annual") & pl.col("complete")
    )
    said = {}
    for r in rows.iter_rows(named=True):
        text = (
            f"imports of {code(r['hs6'])} from China of {amount(r['weight_kg'], r['value_usd'])} "
            f"in {r['period']}"
        )
        if r["base_value_usd"] is not None:
            text += (
                f" against {amount(r['base_weight_kg'], r['base_value_usd'])} in "
                f"{context.baseline(r)}"
            )
        said[(r["hs6"], r["period_start"].year)] = text
    return said


def _years(years: list[int]) -> str:
    if years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(str(y) for y in years)


def _period_text(frequency: str, starts: list[date]) -> str:
    labels = [str(d.year) if frequency == "annual" else f"{d:%Y-%m}" for d in sorted(starts)]
    if len(labels) > 3:
        return f"{labels[0]} to {labels[-1]} ({len(labels)} periods)"
    return ", ".join(labels)


def _skipped(
    rows: pl.DataFrame,
    problems: pl.DataFrame,
    frame: pl.DataFrame,
    prices: pl.DataFrame,
    context: _Context,
    since: date,
) -> pl.DataFrame:
    """Why a signal was not computed, grouped by code, partner and reason."""
    window = context.settings.window_months
    found: list[dict[str, Any]] = []

    def add(
        hs6: str | None,
        kind: str,
        partner: str | None,
        frequency: str,
        starts: list[date],
        reason: str,
    ) -> None:
        found.append(
            {
                "hs6": hs6,
                "kind": kind,
                "partner": context.name(partner) if partner else None,
                "frequency": frequency,
                "starts": starts,
                "reason": reason,
            }
        )

    for r in problems.filter(pl.col("period_start") >= since).iter_rows(named=True):
        add(
            r["hs6"],
            "all",
            r["partner"],
            r["frequency"],
            [r["period_start"]],
            f"{context.title(context.name(r['reporter']))} {r['flow']}s with "
            f"{context.name(r['partner'])}: conflicting figures for the same flow, "
            + _listed(
                [
                    f"{money(v) if v is not None else 'no value'} ({source})"
                    for v, source in zip(r["seen_usd"], r["seen_in"], strict=True)
                ]
            )
            + "; not used",
        )
    gaps = missing_periods(rows).with_columns(
        reach=pl.when(pl.col("frequency") == "monthly")
        .then(pl.col("period_start").dt.offset_by(f"{window}mo"))
        .otherwise(pl.col("period_start").dt.offset_by("2y"))
    )
    for (reporter, flow, frequency), group in gaps.filter(pl.col("reach") > since).group_by(
        "reporter", "flow", "frequency"
    ):
        if frequency == "monthly":
            effect = f"no {window}-month window that includes them is computed"
        else:
            effect = "later years are compared with the latest earlier year reported"
        add(
            None,
            "all",
            None,
            str(frequency),
            group["period_start"].to_list(),
            f"{context.title(context.name(str(reporter)))} published no {flow} statistics for "
            f"these periods: {effect}",
        )
    totals = frame.filter(
        (pl.col("reporter") == context.importer)
        & (pl.col("flow") == "import")
        & (pl.col("partner") == "*")
        & pl.col("complete")
        & pl.col("base_value_usd").is_null()
        & (period_end() >= since)
    )
    for (hs6, frequency), group in totals.group_by("hs6", "frequency"):
        earlier = (
            "no earlier year"
            if frequency == "annual"
            else "no complete window of the same months in an earlier year"
        )
        add(
            str(hs6),
            "drop, replacement, concentration",
            None,
            str(frequency),
            group["period_start"].to_list(),
            f"no baseline: the statistics of {context.name(context.importer)} have {earlier}",
        )
    if not prices.is_empty():
        share = f"{context.settings.min_weighed_share:.0%}"
        unpriced = prices.filter(
            (period_end() >= since)
            & pl.col("base_value_usd").is_not_null()
            & pl.col("change").is_null()
        ).with_columns(
            why=pl.when(pl.col("cn_complete").is_null() | ~pl.col("cn_complete"))
            .then(pl.lit("China's export statistics for these months are missing or unknown"))
            .when(pl.col("cn_base_value_usd").is_null())
            .then(pl.lit("China's export statistics have no baseline for these months"))
            .when((pl.col("cn_value_usd") == 0) | (pl.col("cn_base_value_usd") == 0))
            .then(pl.lit("China exported none of the code in these months or their baseline"))
            .when(pl.col("base_value_usd") == 0)
            .then(pl.lit("nothing was imported in the baseline months"))
            .when(pl.col("unit_value").is_null() | pl.col("base_unit_value").is_null())
            .then(pl.lit(f"the importer's weights cover less than {share} of its value"))
            .otherwise(pl.lit(f"China's weights cover less than {share} of its value"))
        )
        for (hs6, frequency, why), group in unpriced.group_by("hs6", "frequency", "why"):
            add(
                str(hs6),
                "price",
                CHINA,
                str(frequency),
                group["period_start"].to_list(),
                f"unit value not computed: {why}",
            )
    records = [
        {
            "import_country": context.importer,
            "material": context.materials.get(f["hs6"]) if f["hs6"] else None,
            "hs6": f["hs6"],
            "kind": f["kind"],
            "partner": f["partner"],
            "periods": _period_text(f["frequency"], f["starts"]),
            "reason": f["reason"],
        }
        for f in found
    ]
    return pl.DataFrame(records, schema=SKIPPED_SCHEMA).sort("hs6", "kind", "reason")


def digest_json(digest: Digest) -> str:
    """The digest as one JSON document: the country, the start, warnings and skipped."""
    document = {
        "import_country": digest.import_country,
        "since": digest.since.isoformat(),
        "warnings": digest.warnings.to_dicts(),
        "skipped": digest.skipped.to_dicts(),
    }
    return json.dumps(document, indent=2) + "\n"


def write_digest(digest: Digest, output_format: str, out: Path) -> list[Path]:
    """Write the digest as JSON (warnings and skipped in one file) or CSV (the warnings in
    ``out``, what was skipped beside it in ``<stem>.skipped.csv``); returns the paths."""
    if output_format not in FORMATS:
        raise EarlyWarningError(
            f"format must be one of {', '.join(FORMATS)}, got {output_format!r}"
        )
    if output_format == "json":
        out.write_text(digest_json(digest), encoding="utf-8")
        return [out]
    skipped = out.with_name(f"{out.stem}.skipped.csv")
    digest.warnings.write_csv(out)
    digest.skipped.write_csv(skipped)
    return [out, skipped]
