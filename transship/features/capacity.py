"""Whether a country can produce what a controlled code holds.

A code carries its controlled materials and, for shared codes, other goods
(``ref_controlled_codes.other_goods``): 8112.92 holds gallium and germanium and also
indium, niobium and vanadium. A material is listed when the materials files describe who
produces it: the controlled ones, and those described with ``controlled = false`` because
they share controlled codes (niobium, vanadium, zirconium). A country that produces any
listed material the code carries (Brazil's niobium) is not without capacity for it: the
level of (country, code) is the highest over every such material, counting only capacity
rows in force (closed rows never count; announced ones from their start date; none after
its end date). A code that also holds goods outside the materials list (every other oxide
of 2825.90, doped silicon under 3818.00) is a basket: a country with no listed capacity
is 'unknown', not known to produce any of it, rather than 'none', and whether its trade
under the code is the controlled material at all needs corroboration (``priced_as``).

Levels: 'major', 'minor', 'unknown' and 'none'.
"""

from __future__ import annotations

import polars as pl


def code_contents(controlled: pl.DataFrame, capacity: pl.DataFrame) -> pl.DataFrame:
    """Per controlled code: ``carried``, every listed material it holds (its own and those
    named among its other goods that ``capacity`` describes); ``holds_unlisted``, whether
    it also holds goods outside the materials list (a basket code); and ``code_goods``,
    what a shared code holds in words, as '8112.92 (gallium, germanium; also indium,
    niobium, vanadium)' (null when the code holds one material only)."""
    listed = pl.concat([controlled["material"], capacity["material"]]).unique().implode()
    others = (
        controlled.select("hs6", other=pl.col("other_goods"))
        .explode("other")
        .drop_nulls("other")
        .unique()
    )
    per_code = controlled.group_by("hs6").agg(own=pl.col("material").unique().sort())
    extra = others.group_by("hs6").agg(
        other=pl.col("other").sort(),
        other_listed=pl.col("other").filter(pl.col("other").is_in(listed)).sort(),
        holds_unlisted=(~pl.col("other").is_in(listed)).any(),
    )
    return (
        per_code.join(extra, on="hs6", how="left")
        .with_columns(
            carried=pl.concat_list("own", pl.col("other_listed").fill_null([]))
            .list.unique()
            .list.sort(),
            holds_unlisted=pl.col("holds_unlisted").fill_null(False),
            code_goods=pl.when((pl.col("own").list.len() > 1) | pl.col("other").is_not_null()).then(
                pl.format(
                    "{} ({}{})",
                    pl.col("hs6").str.slice(0, 4) + "." + pl.col("hs6").str.slice(4, 2),
                    pl.col("own").list.join(", "),
                    pl.when(pl.col("other").is_not_null())
                    .then(pl.lit("; also ") + pl.col("other").list.join(", "))
                    .otherwise(pl.lit("")),
                )
            ),
        )
        .select("hs6", "carried", "holds_unlisted", "code_goods")
    )


def capacity_levels(
    rows: pl.DataFrame, controlled: pl.DataFrame, capacity: pl.DataFrame
) -> pl.DataFrame:
    """Per row of ``rows`` (``row``, ``hs6`` of a controlled code, ``country`` and the
    period ``first``..``last`` it asks about): ``capacity_level`` and the
    ``capacity_note`` of a row of that level, from capacity in force during the period."""
    contents = code_contents(controlled, capacity)
    in_force = capacity.filter(pl.col("status") != "closed").select(
        "material",
        "country",
        "scale",
        cap_start="start_date",
        cap_end="end_date",
        capacity_note="note",
    )
    candidates = (
        rows.select("row", "hs6", "country", "first", "last")
        .join(contents.select("hs6", "carried"), on="hs6")
        .explode("carried")
        .join(in_force, left_on=["carried", "country"], right_on=["material", "country"])
        .filter(
            (pl.col("cap_start").is_null() | (pl.col("cap_start") <= pl.col("last")))
            & (pl.col("cap_end").is_null() | (pl.col("cap_end") >= pl.col("first")))
        )
        .with_columns(rank=pl.col("scale").replace_strict({"major": 0, "minor": 1}, default=2))
        .sort("row", "rank", "carried", pl.col("capacity_note").is_null(), "capacity_note")
        .group_by("row", maintain_order=True)
        .first()
        .select("row", capacity_level="scale", capacity_note="capacity_note")
    )
    return (
        rows.select("row", "hs6")
        .join(contents.select("hs6", "holds_unlisted"), on="hs6")
        .join(candidates, on="row", how="left")
        .select(
            "row",
            capacity_level=pl.coalesce(
                "capacity_level",
                pl.when(pl.col("holds_unlisted")).then(pl.lit("unknown")).otherwise(pl.lit("none")),
            ),
            capacity_note="capacity_note",
        )
    )


def material_prices(controlled: pl.DataFrame, unit_values: pl.DataFrame) -> pl.DataFrame:
    """Per controlled code with typical prices: the lowest and highest typical USD/kg of
    its controlled materials on it (``uv_low``, ``uv_high``), over every period
    ``ref_unit_values`` gives (prices are orders of magnitude, not quotes)."""
    own = controlled.select("hs6", "material").unique()
    return (
        unit_values.join(own, on=["hs6", "material"])
        .group_by("hs6")
        .agg(uv_low=pl.col("usd_per_kg_low").min(), uv_high=pl.col("usd_per_kg_high").max())
    )


def priced_as(unit_value: pl.Expr, ratio: float) -> pl.Expr:
    """Whether ``unit_value`` lies within ``ratio`` times the typical range of the code's
    controlled materials (``uv_low`` .. ``uv_high``, see ``material_prices``); false where
    either is unknown."""
    fits = (unit_value >= pl.col("uv_low") / ratio) & (unit_value <= pl.col("uv_high") * ratio)
    return fits.fill_null(False)
