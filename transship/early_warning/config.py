"""Thresholds and weights of the early-warning signals, with what each one means.

A small pydantic model with defaults, so the lead can move it into the rules file as an
``[early_warning]`` section (``WarningSettings.model_validate(rules["early_warning"])``).
No threshold here was fitted to a data set; each states a level an analyst would name.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Ramp(BaseModel):
    """A signal starts to count at ``start`` and counts fully at ``full``."""

    model_config = ConfigDict(frozen=True)

    start: float
    full: float


class WarningSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    # Windows and baselines.
    window_months: int = Field(
        3,
        description="A monthly signal sums this many months ending with its month (every one "
        "must be reported): one month of customs timing or a single cargo is not a trend.",
    )
    baseline_years: int = Field(
        3,
        description="The baseline is the median of the same window in up to this many earlier "
        "years (annual series: the latest earlier reported years).",
    )

    noise_months: int = Field(
        36,
        description="The trailing months over which a flow's usual departure from its own "
        "baseline (its noise) is measured.",
    )
    noise_min_departures: int = Field(
        6, description="Departures needed before a flow's noise is estimated at all."
    )

    # Drop: a supplier's flow against its own baseline.
    drop_fall: Ramp = Field(
        Ramp(start=0.5, full=0.9),
        description="Fall against the baseline: halved starts to count, -90% counts fully.",
    )
    drop_noise_band: float = Field(
        3.0,
        description="Where a flow's noise is known, a drop must also lie this many robust "
        "standard deviations below its baseline (the usual outlier rule), so a lumpy flow's "
        "ordinary dips are not drops.",
    )
    drop_materiality: Ramp = Field(
        Ramp(start=0.05, full=0.25),
        description="The lost quantity as a share of everything the importer bought of the "
        "code in the baseline: 5% starts to count, a quarter counts fully.",
    )

    # Rise (replacement and diversion): a flow against its own baseline.
    rise_growth: Ramp = Field(
        Ramp(start=1.5, full=2.0),
        description="Current over baseline: +50% starts to count, doubling counts fully; a "
        "supplier with no baseline at all is new and counts fully.",
    )
    replacement_materiality: Ramp = Field(
        Ramp(start=0.1, full=0.5),
        description="A replacement's gain as a share of what the dropping suppliers lost: "
        "a tenth starts to count, half counts fully.",
    )
    capacity_factor: dict[str, float] = Field(
        {"none": 1.0, "minor": 0.85, "major": 0.0},
        description="Multiplies a replacement by the supplier's capacity for the material: a "
        "country that produces it at scale is not a replacement warning at all.",
    )
    diversion_fall: Ramp = Field(
        Ramp(start=0.3, full=0.8),
        description="China's direct exports to the importer against their baseline: -30% "
        "starts to count, -80% counts fully.",
    )
    diversion_materiality: Ramp = Field(
        Ramp(start=0.05, full=0.25),
        description="The third country's gain from China as a share of what the importer "
        "usually buys of the code in as many months: 5% starts, a quarter counts fully.",
    )
    diversion_producer_factor: float = Field(
        0.5,
        description="A third country with major capacity for the material may be buying "
        "feedstock: its diversion warnings count half.",
    )

    # Concentration (Herfindahl-Hirschman index of supplier shares, 0-10,000).
    hhi_level: Ramp = Field(
        Ramp(start=2500, full=5000),
        description="2,500 is 'highly concentrated' in the US merger guidelines (2010); 5,000 "
        "is one supplier holding about 70%.",
    )
    hhi_increase: Ramp = Field(
        Ramp(start=200, full=1000),
        description="An increase of 200 points in a highly concentrated market is presumed "
        "significant in the same guidelines.",
    )

    # Price: the importer's unit value against China's export unit value.
    price_gap_change: Ramp = Field(
        Ramp(start=1.25, full=2.0),
        description="The ratio of the importer's unit value to China's export unit value, now "
        "over the baseline: +25% starts to count, doubling counts fully.",
    )
    min_weighed_share: float = Field(
        0.8,
        description="A unit value is computed only when rows with a weight carry at least "
        "this share of the value.",
    )

    # Every signal ignores flows smaller than this in both windows (noise, samples).
    min_value_usd: float = Field(50_000.0, description="Smallest flow a signal reads, in USD.")

    # Scores and severity: a warning's score is 100 x kind weight x magnitude x materiality
    # (each 0.5 at its start and 1 at its full level) x any capacity factor.
    kind_weight: dict[str, float] = Field(
        {
            "drop": 1.0,
            "replacement": 1.0,
            "diversion": 0.9,
            "concentration": 0.7,
            "price": 0.6,
        },
        description="Supply lost or replaced by a non-producer is read first; concentration "
        "and price are context for it.",
    )
    high: float = Field(60.0, description="Score from which a warning is high severity.")
    medium: float = Field(35.0, description="Score from which a warning is medium severity.")
