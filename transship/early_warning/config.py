"""Thresholds and weights of the early-warning signals, with what each one means.

The ``[early_warning]`` section of the rules file (transship/detectors/rules.toml) is this
model: the rules file's validation checks it with the rest (unknown keys, values out of
range, a ramp that does not rise) and ``DetectorConfig.warning_settings`` returns it. The
defaults here are the shipped file's values (a test holds them equal). No threshold here
was fitted to a data set; each states a level an analyst would name.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

KINDS = ("drop", "replacement", "diversion", "concentration", "price")
CAPACITY_LEVELS = ("none", "minor", "major")
CLOSED = ConfigDict(frozen=True, extra="forbid")
Share = Annotated[float, Field(ge=0.0, le=1.0)]


class Ramp(BaseModel):
    """A signal starts to count at ``start`` and counts fully at ``full``."""

    model_config = CLOSED

    start: float = Field(ge=0.0)
    full: float = Field(ge=0.0)

    @model_validator(mode="after")
    def _rises(self) -> Self:
        if not self.start < self.full:
            raise ValueError(f"start ({self.start:g}) must be below full ({self.full:g})")
        return self


def _keys(given: dict[str, float], allowed: tuple[str, ...], what: str) -> dict[str, float]:
    """Every key of ``allowed`` and no other: a weight left out would fail mid-run."""
    unknown = [k for k in given if k not in allowed]
    missing = [k for k in allowed if k not in given]
    said = []
    if unknown:
        plural = len(unknown) > 1
        said.append(
            f"{', '.join(unknown)} {'are not' if plural else 'is not a'} {what}{'s' * plural}"
        )
    if missing:
        said.append(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing")
    if said:
        raise ValueError(f"{'; '.join(said)}; give one value for each of {', '.join(allowed)}")
    return given


class WarningSettings(BaseModel):
    model_config = CLOSED

    # Windows and baselines.
    window_months: int = Field(
        3,
        ge=1,
        description="A monthly signal sums this many months ending with its month (every one "
        "must be reported): one month of customs timing or a single cargo is not a trend.",
    )
    baseline_years: int = Field(
        3,
        ge=1,
        description="The baseline is the median of the same window in up to this many earlier "
        "years (annual series: the latest earlier reported years).",
    )

    noise_months: int = Field(
        36,
        ge=1,
        description="The trailing months over which a flow's usual departure from its own "
        "baseline (its noise) is measured.",
    )
    noise_min_departures: int = Field(
        6, ge=2, description="Departures needed before a flow's noise is estimated at all."
    )

    # Drop: a supplier's flow against its own baseline.
    drop_fall: Ramp = Field(
        Ramp(start=0.5, full=0.9),
        description="Fall against the baseline: halved starts to count, -90% counts fully.",
    )
    drop_noise_band: float = Field(
        3.0,
        gt=0.0,
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
    capacity_factor: dict[str, Share] = Field(
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
    diversion_producer_factor: Share = Field(
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
        gt=0.0,
        le=1.0,
        description="A unit value is computed only when rows with a weight carry at least "
        "this share of the value.",
    )

    # Every signal ignores flows smaller than this in both windows (noise, samples).
    min_value_usd: float = Field(
        50_000.0, ge=0.0, description="Smallest flow a signal reads, in USD."
    )

    # Scores and severity: a warning's score is 100 x kind weight x magnitude x materiality
    # (each 0.5 at its start and 1 at its full level) x any capacity factor.
    kind_weight: dict[str, Share] = Field(
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
    high: float = Field(
        60.0, ge=0.0, le=100.0, description="Score from which a warning is high severity."
    )
    medium: float = Field(
        35.0, ge=0.0, le=100.0, description="Score from which a warning is medium severity."
    )

    @field_validator("capacity_factor")
    @classmethod
    def _capacity_levels(cls, given: dict[str, float]) -> dict[str, float]:
        return _keys(given, CAPACITY_LEVELS, "capacity level")

    @field_validator("kind_weight")
    @classmethod
    def _kinds(cls, given: dict[str, float]) -> dict[str, float]:
        return _keys(given, KINDS, "kind")

    @field_validator("drop_fall", "diversion_fall")
    @classmethod
    def _falls_below_everything(cls, ramp: Ramp) -> Ramp:
        # A fall is a share of the baseline: a fall of 100% or more cannot be reached.
        if ramp.full >= 1.0:
            raise ValueError(
                f"a fall is a share of the baseline: full ({ramp.full:g}) must be below 1"
            )
        return ramp

    @field_validator("rise_growth", "price_gap_change")
    @classmethod
    def _rises_above_one(cls, ramp: Ramp) -> Ramp:
        # A ratio of now over before: below 1 it would call a fall a rise.
        if ramp.start < 1.0:
            raise ValueError(
                f"a ratio of now over before: start ({ramp.start:g}) must be at least 1"
            )
        return ramp

    @field_validator("hhi_level", "hhi_increase")
    @classmethod
    def _on_the_index_scale(cls, ramp: Ramp) -> Ramp:
        if ramp.full > 10_000:
            raise ValueError(f"the index runs from 0 to 10,000: full ({ramp.full:g}) is above it")
        return ramp

    @model_validator(mode="after")
    def _severities_ordered(self) -> Self:
        if not self.medium <= self.high:
            raise ValueError(f"medium ({self.medium:g}) must not be above high ({self.high:g})")
        return self
