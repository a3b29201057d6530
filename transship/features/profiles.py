"""Profiles an analyst reads: corridors, codes and traders by month, from shipments alone.

Every function takes the shipments (one row per shipment, with ``import_country``,
``hs6``, ``arrival_date``, ``weight_kg``, ``value_usd``, ...) and returns one row per
profile key. Every key starts with the importing country: one store may hold several,
and no profile mixes them. A month's row only summarises that month and the months
before it, so a profile never looks ahead.
"""

from __future__ import annotations

import polars as pl

from transship.features.controls import latest_in_force

BASELINE_MONTHS = 12
COUNTRY = "import_country"


def _monthly(shipments: pl.DataFrame) -> pl.DataFrame:
    return shipments.with_columns(
        month=pl.col("arrival_date").dt.truncate("1mo"),
        hs4=pl.col("hs6").str.slice(0, 4),
        log_unit_value=(pl.col("value_usd") / pl.col("weight_kg") + 0.01).log(),
    )


def corridor_months(shipments: pl.DataFrame, code: str = "hs6") -> pl.DataFrame:
    """Per importing country x origin x code (``hs6`` or ``hs4``) x month with shipments:
    their count, weight, value and unit value (median and MAD of the log). Each month's
    row reads that month's shipments alone, so months are summarised once and kept
    (``monthly_corridors``)."""
    keys = [COUNTRY, "origin_country", code]
    return (
        _monthly(shipments)
        .group_by([*keys, "month"])
        .agg(
            shipments=pl.len(),
            weight_kg=pl.col("weight_kg").sum(),
            value_usd=pl.col("value_usd").sum(),
            unit_value_median=pl.col("log_unit_value").median().exp(),
            unit_value_mad=(pl.col("log_unit_value") - pl.col("log_unit_value").median())
            .abs()
            .median(),
        )
    )


def corridor_grid(
    months: pl.DataFrame, code: str = "hs6", starts: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The corridor profile from its months (``corridor_months``): every corridor in every
    month from its importing country's first month to its last (months with nothing count
    as zero), the origin's share of the importing country's imports of the code that month,
    and the corridor's trailing 12-month average weight. ``starts`` (``COUNTRY``,
    ``month``) moves an importing country's first month back to where its grid starts when
    ``months`` leave out its oldest ones."""
    keys = [COUNTRY, "origin_country", code]
    first = pl.col("month").min()
    if starts is not None:
        first = pl.min_horizontal(first, pl.col("start").first())
        months = months.join(starts.rename({"month": "start"}), on=COUNTRY, how="left")
    spans = months.group_by(COUNTRY).agg(month=pl.date_ranges(first, pl.col("month").max(), "1mo"))
    if starts is not None:
        months = months.drop("start")
    grid = (
        months.select(keys)
        .unique()
        .join(spans.explode("month"), on=COUNTRY)
        .join(months, on=[*keys, "month"], how="left")
        .with_columns(pl.col("shipments", "weight_kg", "value_usd").fill_null(0))
        .sort([*keys, "month"])
    )
    code_total = pl.col("weight_kg").sum().over([COUNTRY, code, "month"])
    baseline = (
        pl.col("weight_kg")
        .shift(1)
        .rolling_mean(BASELINE_MONTHS, min_samples=1)
        .over(keys)
        .fill_null(0.0)
    )
    return grid.with_columns(
        origin_share=pl.when(code_total > 0).then(pl.col("weight_kg") / code_total),
        baseline_kg=baseline,
    ).with_columns(
        surge_ratio=pl.when(pl.col("baseline_kg") > 0).then(
            pl.col("weight_kg") / pl.col("baseline_kg")
        )
    )


def corridor_profile(
    shipments: pl.DataFrame, code: str = "hs6", starts: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Per importing country x origin x code (``hs6`` or ``hs4``) x month: shipments,
    weight, value, unit value (median and MAD), the origin's share of the importing
    country's imports of the code that month, and the corridor's trailing 12-month average
    weight (months with nothing count as zero, from the importing country's first month;
    ``starts``: see ``corridor_grid``)."""
    return corridor_grid(corridor_months(shipments, code), code, starts)


def code_profile(shipments: pl.DataFrame) -> pl.DataFrame:
    """Per importing country x hs6 x month: typical unit value and weight per shipment,
    transport-mode mix and the most frequent description words."""
    frame = _monthly(shipments)
    keys = [COUNTRY, "hs6", "month"]
    # Descriptions repeat: split each distinct one once and weigh its words by its count.
    words = (
        frame.group_by(*keys, "description")
        .len("times")
        .select(
            *keys,
            "times",
            word=pl.col("description").fill_null("").str.to_lowercase().str.split(" "),
        )
        .explode("word")
        .filter(pl.col("word").str.len_chars() > 2)
        .group_by(*keys, "word")
        .agg(len=pl.col("times").sum())
        .sort([*keys, "len", "word"], descending=[False, False, False, True, False])
        .group_by(keys, maintain_order=True)
        .agg(vocabulary=pl.col("word").head(5).str.join(" "))
    )
    modes = (
        frame.group_by(*keys, "transport_mode")
        .len()
        .with_columns(share=pl.col("len") / pl.col("len").sum().over(keys))
        .sort([*keys, "share", "transport_mode"], descending=[False, False, False, True, False])
        .group_by(keys, maintain_order=True)
        .agg(
            mode_mix=pl.format(
                "{} {}%",
                pl.col("transport_mode").fill_null("unknown"),
                (pl.col("share") * 100).round(0).cast(pl.Int64),
            ).str.join(", ")
        )
    )
    typical = frame.group_by(keys).agg(
        shipments=pl.len(),
        unit_value_median=pl.col("log_unit_value").median().exp(),
        weight_median_kg=pl.col("weight_kg").median(),
    )
    return typical.join(modes, on=keys, how="left").join(words, on=keys, how="left").sort(keys)


TRADER = [COUNTRY, "exporter", "importer", "origin_country"]


def trader_months(shipments: pl.DataFrame) -> pl.DataFrame:
    """Per importing country x exporter x importer x origin x month (unnamed traders
    included): shipments, weight and the first and last arrival. The trader profiles read
    these, so months are summarised once and kept (``monthly_traders``)."""
    return (
        _monthly(shipments)
        .group_by([*TRADER, "month"])
        .agg(
            shipments=pl.len(),
            weight_kg=pl.col("weight_kg").sum(),
            first_seen=pl.col("arrival_date").min(),
            last_seen=pl.col("arrival_date").max(),
        )
    )


def trader_totals(traders: pl.DataFrame) -> pl.DataFrame:
    """Trader rows (``trader_months``, or such rows already summed over some months) summed
    over their months: per importing country x exporter x importer x origin, shipments,
    weight and the first and last arrival. The trader profiles read nothing else of the
    months, and far fewer rows."""
    return traders.group_by(TRADER).agg(
        shipments=pl.col("shipments").sum(),
        weight_kg=pl.col("weight_kg").sum(),
        first_seen=pl.col("first_seen").min(),
        last_seen=pl.col("last_seen").max(),
    )


def last_days(traders: pl.DataFrame) -> pl.DataFrame:
    """Each importing country's latest arrival: its profiles are as of its own data."""
    return traders.group_by(COUNTRY).agg(_last_day=pl.col("last_seen").max())


def _totals(traders: pl.DataFrame, trader: str, other: str) -> pl.DataFrame:
    """Per importing country x named ``trader``: first and last seen, volume, the number of
    distinct counterparties (an unnamed one counts once) and the origins used."""
    return (
        traders.filter(pl.col(trader).is_not_null())
        .group_by(COUNTRY, trader)
        .agg(
            first_seen=pl.col("first_seen").min(),
            last_seen=pl.col("last_seen").max(),
            shipments=pl.col("shipments").sum(),
            weight_kg=pl.col("weight_kg").sum(),
            counterparties=pl.col(other).n_unique(),
            origins=pl.col("origin_country").unique().sort().str.join(","),
        )
    )


def exporter_profile(traders: pl.DataFrame, recent: pl.DataFrame) -> pl.DataFrame:
    """Per importing country x exporter: first and last seen, volume, counterparties,
    origins used, and growth of its last 90 days over the 90 days before.

    ``traders`` are the months of every shipment (``trader_months``); ``recent`` holds at
    least each importing country's shipments of the 180 days to its latest arrival
    (``import_country``, ``exporter``, ``arrival_date``, ``weight_kg``).
    """
    ends = last_days(traders)
    day = pl.col("arrival_date")
    in_recent = day > pl.col("_last_day").dt.offset_by("-90d")
    in_previous = (day <= pl.col("_last_day").dt.offset_by("-90d")) & (
        day > pl.col("_last_day").dt.offset_by("-180d")
    )
    windows = (
        recent.join(ends, on=COUNTRY)
        .filter(pl.col("exporter").is_not_null() & (day <= pl.col("_last_day")))
        .group_by(COUNTRY, "exporter")
        .agg(
            recent_kg=pl.col("weight_kg").filter(in_recent).sum(),
            previous_kg=pl.col("weight_kg").filter(in_previous).sum(),
        )
    )
    return (
        _totals(traders, "exporter", "importer")
        .rename({"counterparties": "importers"})
        .join(windows, on=[COUNTRY, "exporter"], how="left")
        .with_columns(pl.col("recent_kg", "previous_kg").fill_null(0.0))
        .with_columns(
            growth=pl.when(pl.col("previous_kg") > 0).then(
                pl.col("recent_kg") / pl.col("previous_kg")
            )
        )
        .sort(COUNTRY, "exporter")
    )


def _new_since(traders: pl.DataFrame, keys: list[str], days: int, name: str) -> pl.DataFrame:
    """Per ``keys[:-1]``: how many ``keys[-1]`` it first met in the last ``days`` of its
    importing country's data."""
    return (
        traders.group_by(keys)
        .agg(first=pl.col("first_seen").min())
        .join(last_days(traders), on=COUNTRY)
        .filter(pl.col("first") > pl.col("_last_day").dt.offset_by(f"-{days}d"))
        .group_by(keys[:-1])
        .agg(pl.len().alias(name))
    )


def importer_profile(traders: pl.DataFrame) -> pl.DataFrame:
    """Per importing country x importer: first and last seen, volume, suppliers, origins
    used and the number of origins it started buying from in the last 90 days
    (``traders``: ``trader_months`` of every shipment)."""
    new_origins = _new_since(
        traders, [COUNTRY, "importer", "origin_country"], 90, "new_origins_90d"
    )
    return (
        _totals(traders, "importer", "exporter")
        .rename({"counterparties": "exporters"})
        .join(new_origins, on=[COUNTRY, "importer"], how="left")
        .with_columns(pl.col("new_origins_90d").fill_null(0))
        .sort(COUNTRY, "importer")
    )


def control_phase(profile: pl.DataFrame, code: str, controls: pl.DataFrame) -> pl.DataFrame:
    """The profile with the latest control on its code in force for its importing country
    at each month's end (``control_date``) and whether the month is after it: the
    before/after split.

    ``controls`` are the events on each controlled code (``controls.code_events``); a
    heading (hs4) takes the controls of its subheadings.
    """
    with_end = profile.with_row_index("row").with_columns(_month_end=pl.col("month").dt.month_end())
    matched = latest_in_force(with_end, controls, "_month_end", code).select("row", "control_date")
    return (
        with_end.join(matched, on="row", how="left")
        .sort("row")
        .with_columns(
            after_control=pl.when(pl.col("control_date").is_not_null()).then(
                pl.col("month") >= pl.col("control_date").dt.truncate("1mo")
            )
        )
        .drop("row", "_month_end")
    )


def origin_switches(features: pl.DataFrame) -> pl.DataFrame:
    """Per importing country x importer: the origin switches right after a control the
    features recorded, as 'antimony: CN -> IN after 2024-12-03'."""
    return (
        features.filter(pl.col("switched_from").is_not_null())
        .select(
            COUNTRY,
            "importer",
            switch=pl.format(
                "{}: {} -> {} after {}",
                "material",
                "switched_from",
                "origin_country",
                "control_date",
            ),
        )
        .unique()
        .sort(COUNTRY, "importer", "switch")
        .group_by(COUNTRY, "importer", maintain_order=True)
        .agg(origin_switches=pl.col("switch").str.join("; "))
    )


def new_pairs(traders: pl.DataFrame, days: int = 90) -> pl.DataFrame:
    """Per importing country x exporter: importers it shipped to for the first time in the
    last ``days`` (``traders``: ``trader_months`` of every shipment)."""
    return _new_since(traders, [COUNTRY, "exporter", "importer"], days, "new_pairs_90d")
