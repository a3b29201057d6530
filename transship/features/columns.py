"""Row-level features: small pure expressions, one per output column, named after it."""

from __future__ import annotations

import re

import polars as pl

# Names of the controlled materials as they appear in goods descriptions: English, other
# languages seen in declarations, element symbols with grades, and compounds.
MATERIAL_KEYWORDS = {
    "antimony": [
        r"antimon\w*",
        r"antimoine",
        r"\bsb\s?2\s?o\s?3\b",
        r"\bsb\s?\d{2}(?:[.,]\d+)?\s?%?",
        r"stibnite",
    ],
    "gallium": [r"gallium", r"galio", r"gallio", r"\bgaas\b", r"\bgan\b", r"\bga\s?2\s?o\s?3\b"],
    "germanium": [r"germanium", r"germanio", r"\bgeo\s?2\b", r"\bgecl\s?4\b"],
    "graphite": [r"graphit\w*", r"grafito"],
}


def unit_value() -> pl.Expr:
    """US dollars per kilogram as declared."""
    return (pl.col("value_usd") / pl.col("weight_kg")).alias("unit_value")


def log_unit_value() -> pl.Expr:
    return (pl.col("value_usd") / pl.col("weight_kg") + 0.01).log().alias("log_unit_value")


def hs4() -> pl.Expr:
    return pl.col("hs6").str.slice(0, 4).alias("hs4")


def month() -> pl.Expr:
    """The first day of the arrival month."""
    return pl.col("arrival_date").dt.truncate("1mo").alias("month")


def export_differs() -> pl.Expr:
    """The country of export is known and is not the declared origin."""
    return (
        pl.col("export_country").is_not_null()
        & (pl.col("export_country") != pl.col("origin_country"))
    ).alias("export_differs")


def described_material() -> pl.Expr:
    """The controlled material the goods description names, if any."""
    text = pl.col("description").fill_null("").str.to_lowercase()
    expr: pl.Expr = pl.lit(None, pl.String)
    for material, patterns in reversed(MATERIAL_KEYWORDS.items()):
        expr = (
            pl.when(text.str.contains("(?:" + "|".join(patterns) + ")"))
            .then(pl.lit(material))
            .otherwise(expr)
        )
    return expr.alias("described_material")


def described_keyword() -> pl.Expr:
    """The words of the description that named the material, for the analyst."""
    pattern = "(" + "|".join(p for patterns in MATERIAL_KEYWORDS.values() for p in patterns) + ")"
    return (
        pl.col("description")
        .fill_null("")
        .str.to_lowercase()
        .str.extract(pattern, 1)
        .str.strip_chars()
        .alias("described_keyword")
    )


def controlled() -> pl.Expr:
    """The declared code carries a controlled material (``material`` joined from it)."""
    return pl.col("material").is_not_null().alias("controlled")


def origin_is_hub(hubs: pl.Series) -> pl.Expr:
    """The declared origin is a known transit or re-export hub."""
    return pl.col("origin_country").is_in(hubs.implode()).alias("origin_is_hub")


def export_is_hub(hubs: pl.Series) -> pl.Expr:
    """The country of export is a known hub; null when it is not declared."""
    return pl.col("export_country").is_in(hubs.implode()).alias("export_is_hub")


def corridor_surge_ratio() -> pl.Expr:
    """The corridor's last 90 days against its usual 90 days; a baseline below the
    shipment's own weight counts as that weight, so a first small shipment is no surge."""
    return (
        pl.col("corridor_recent_kg")
        / pl.max_horizontal(pl.col("corridor_baseline_kg"), pl.col("weight_kg"))
    ).alias("corridor_surge_ratio")


def exporter_age_days() -> pl.Expr:
    """Days since the exporter's first earlier shipment; 0 for its first."""
    return (
        (pl.col("arrival_date") - pl.col("exporter_first_seen"))
        .dt.total_days()
        .fill_null(0)
        .alias("exporter_age_days")
    )


def pair_new() -> pl.Expr:
    """The exporter has never shipped to this importer before."""
    return pl.col("pair_first_seen").is_null().alias("pair_new")


def uv_z() -> pl.Expr:
    """How far the log unit value lies from its code's median, in robust deviations; the
    0.1 keeps a code whose prices never varied from making every difference infinite."""
    return (
        (pl.col("log_unit_value") - pl.col("hs6_uv_median")) / (1.4826 * pl.col("hs6_uv_mad") + 0.1)
    ).alias("uv_z")


def hs6_uv_typical() -> pl.Expr:
    """The code's median unit value in dollars per kg, for the reasons."""
    return pl.col("hs6_uv_median").exp().alias("hs6_uv_typical")


def keyword_pattern(material: str) -> re.Pattern[str]:
    return re.compile("|".join(MATERIAL_KEYWORDS[material]), re.IGNORECASE)
