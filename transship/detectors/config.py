"""The rules file (rules.toml), parsed into one validated configuration.

Every section and key is checked against what transship knows: the fusion settings, a
weight for every rule detector of every level, each detector's parameters (their types
and ranges come from the detector's ``__init__`` annotations, their defaults from its
signature), the review policy and the early-warning settings (``WarningSettings``).
Anything unknown, missing or out of range is refused with a ``RulesError`` naming the
file, the key and what is allowed, before anything runs.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, get_type_hints

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from transship.detectors.base import Count, Detector, DetectorError, Share
from transship.detectors.registry import DETECTORS

if TYPE_CHECKING:
    from transship.early_warning.config import WarningSettings

DEFAULT_RULES = Path(__file__).parent / "rules.toml"
CLOSED = ConfigDict(extra="forbid")
EARLY_WARNING = "early_warning"
LEARNING = "learning"
SECTIONS = ("fusion", "weights", "review", LEARNING, EARLY_WARNING)


class RulesError(DetectorError):
    """The rules file cannot be read or breaks the rules schema; nothing ran with it."""

    exit_code = 2


def rule_names(level: str | None = None) -> list[str]:
    """The rule detectors (of one level, or of every level), in registry order."""
    return [
        name
        for name, cls in DETECTORS.items()
        if cls.kind == "rule" and (level is None or cls.level == level)
    ]


def _unknown(names: tuple[str, ...], allowed: list[str], what: str) -> tuple[str, ...]:
    unknown = [name for name in names if name not in allowed]
    if unknown:
        raise ValueError(
            f"{', '.join(unknown)} {'is not a' if len(unknown) == 1 else 'are not'} {what}"
            f"{'' if len(unknown) == 1 else 's'}; {what}s are {', '.join(allowed)}"
        )
    return names


class Fusion(BaseModel):
    """[fusion]: how detector scores become a risk score and flags, at every level."""

    model_config = CLOSED

    threshold: float = Field(ge=0.0, le=100.0)
    medium: float = Field(ge=0.0, le=100.0)
    high: float = Field(ge=0.0, le=100.0)
    capacity_damping: Share
    damped: tuple[str, ...]
    model_weight: Share
    supporting: tuple[str, ...]

    @field_validator("damped")
    @classmethod
    def _damped_are_shipment_rules(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        return _unknown(names, rule_names("shipment"), "shipment rule")

    @field_validator("supporting")
    @classmethod
    def _supporting_are_rules(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        return _unknown(names, rule_names(), "rule detector")

    @model_validator(mode="after")
    def _severities_ordered(self) -> Self:
        # The flag threshold may sit above either: a strict run flags only severe rows.
        if not self.medium <= self.high:
            raise ValueError(f"medium ({self.medium:g}) must not be above high ({self.high:g})")
        return self


class Review(BaseModel):
    """[review]: what a rerun does to decided flags; not part of the detector version."""

    model_config = CLOSED

    reopen_margin: float = Field(default=15.0, ge=0.0, le=100.0)


class Learning(BaseModel):
    """[learning]: the ranker learned from analysts' decisions and imported inspection
    outcomes (transship/learning/), how its score joins the fused score, and how much of
    the review budget is spent on learning. Not part of the detector version: like the
    decisions themselves, it changes scores under one version (each run records the
    learned model it used)."""

    model_config = CLOSED

    enabled: bool = True
    min_decisions: Count = 30
    min_each: Count = 5
    full_evidence: Count = 500
    max_weight: Share = 0.8
    holdout_share: float = Field(default=0.2, gt=0.0, le=0.5)
    min_holdout: Count = 10
    retrain_every: Literal["day", "week", "month"] = "day"
    review_budget: Share = 0.02
    explore_share: Share = 0.1
    trees: Count = 300
    learning_rate: float = Field(default=0.05, gt=0.0, le=1.0)
    leaves: int = Field(default=31, ge=2)
    min_leaf: Count = 20

    @model_validator(mode="after")
    def _evidence_rises(self) -> Self:
        if not self.min_each < self.full_evidence:
            raise ValueError(
                f"min_each ({self.min_each}) must be below full_evidence ({self.full_evidence})"
            )
        if 2 * self.min_each > self.min_decisions:
            raise ValueError(
                f"min_decisions ({self.min_decisions}) must be at least twice min_each "
                f"({self.min_each}): the learner needs that many of each outcome"
            )
        return self


class Parameters(BaseModel):
    """A detector's section: its ``__init__`` parameters, with their annotated ranges."""

    model_config = CLOSED
    ordered: ClassVar[tuple[tuple[str, str], ...]] = ()

    @model_validator(mode="after")
    def _pairs_rise(self) -> Self:
        for low, high in self.ordered:
            if not getattr(self, low) < getattr(self, high):
                raise ValueError(
                    f"{low} ({getattr(self, low)}) must be below {high} ({getattr(self, high)})"
                )
        return self


def parameters_model(cls: type[Detector]) -> type[Parameters]:
    hints = get_type_hints(cls.__init__, include_extras=True)
    fields: dict[str, Any] = {
        name: (hints[name], parameter.default)
        for name, parameter in inspect.signature(cls.__init__).parameters.items()
        if name != "self"
    }
    model = create_model(cls.name, __base__=Parameters, **fields)
    model.ordered = cls.ordered
    return model


def _warning_model() -> type[WarningSettings]:
    # Imported when first needed: transship.early_warning reads the detectors' helpers, so
    # importing it while this package initialises would be circular.
    from transship.early_warning.config import WarningSettings

    return WarningSettings


@cache
def rules_model() -> type[BaseModel]:
    """The whole file: [fusion], [weights], [review], [learning], [early_warning] and one
    optional section per detector."""
    warning = _warning_model()
    weights: dict[str, Any] = dict.fromkeys(rule_names(), (Share, ...))
    sections: dict[str, Any] = {}
    for name, cls in DETECTORS.items():
        model = parameters_model(cls)
        sections[name] = (model, Field(default_factory=model))
    return create_model(
        "rules",
        __config__=CLOSED,
        fusion=(Fusion, ...),
        weights=(create_model("weights", __config__=CLOSED, **weights), ...),
        review=(Review, Field(default_factory=Review)),
        learning=(Learning, Field(default_factory=Learning)),
        early_warning=(warning, Field(default_factory=warning)),
        **sections,
    )


def validate_rules(data: dict[str, Any], source: str) -> BaseModel:
    try:
        return rules_model().model_validate(data)
    except ValidationError as exc:
        raise RulesError("\n".join(f"{source}: {p}" for p in problems(exc))) from None


def problems(exc: ValidationError) -> list[str]:
    """One plain sentence per problem, naming the section and key and what is allowed."""
    lines: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    for error in exc.errors():
        loc = tuple(str(part) for part in error["loc"])
        if error["type"] == "missing" and len(loc) == 2:
            missing.setdefault(loc[0], []).append(loc[1])
            continue
        where, message = _problem(error, loc)
        # A value a union refuses gets one error per alternative: say them together.
        messages = lines.setdefault(where, [])
        if message and message not in messages:
            messages.append(message)
    # A key's value is followed by what it should be; a section by a sentence about it.
    out = [
        f"{where}{': ' if ' = ' in where else ' '}{' or '.join(messages)}" if messages else where
        for where, messages in lines.items()
    ]
    for section, keys in missing.items():
        listed = keys[0] if len(keys) == 1 else f"{', '.join(keys[:-1])} and {keys[-1]}"
        text = f"[{section}] {listed} {'is' if len(keys) == 1 else 'are'} missing"
        if section == "weights":
            text += " (every rule detector needs a weight; 0 turns it off)"
        out.append(text)
    return out


def _problem(error: ErrorDetails, loc: tuple[str, ...]) -> tuple[str, str | None]:
    """Where the problem is (a whole sentence, with no message) and what is wrong there."""
    section = loc[0]
    if error["type"] == "extra_forbidden":
        if section == EARLY_WARNING and len(loc) > 1:
            return _extra_warning(loc[1:]), None
        return _extra(section, loc[1] if len(loc) > 1 else None), None
    if error["type"] in ("model_type", "model_attributes_type") and len(loc) == 1:
        return f"[{section}] must be a table of settings, not {error['input']!r}", None
    message = str(error.get("ctx", {}).get("error", error["msg"]))
    message = message[:1].lower() + message[1:]
    if len(loc) == 1:
        return f"[{section}]", message
    if section == EARLY_WARNING:
        # Its settings nest (a ramp's start, a kind's weight): name the whole path.
        return f"[{section}] {'.'.join(loc[1:])} = {error['input']!r}", message
    key = loc[1] + "".join(f"[{part}]" for part in loc[2:] if part.isdigit())
    return f"[{section}] {key} = {error['input']!r}", message


def _extra(section: str, key: str | None) -> str:
    if key is None:
        return (
            f"[{section}] is not a section; sections are {', '.join(SECTIONS)} and one per "
            f"detector: {', '.join(DETECTORS)}"
        )
    if section == "weights":
        if key in DETECTORS:
            return (
                f"[weights] {key} is a model: the models enter together with [fusion] model_weight"
            )
        return f"[weights] {key} is not a detector; detectors are {', '.join(rule_names())}"
    if section in ("fusion", "review", LEARNING):
        settings: dict[str, type[BaseModel]] = {
            "fusion": Fusion,
            "review": Review,
            LEARNING: Learning,
        }
        known = settings[section]
        return (
            f"[{section}] {key} is not a {section} setting; the settings are "
            f"{', '.join(known.model_fields)}"
        )
    allowed = list(inspect.signature(DETECTORS[section].__init__).parameters)[1:]
    return f"[{section}] {key} is not a parameter of {section}; " + (
        f"its parameters are {', '.join(allowed)}" if allowed else "it has none"
    )


def _extra_warning(path: tuple[str, ...]) -> str:
    known = _warning_model().model_fields
    if len(path) == 1:
        return (
            f"[{EARLY_WARNING}] {path[0]} is not an early-warning setting; the settings are "
            f"{', '.join(known)}"
        )
    return f"[{EARLY_WARNING}] {'.'.join(path)} is not allowed: a ramp has start and full"


@dataclass(frozen=True)
class DetectorConfig:
    """The validated rules: detector parameters, weights, fusion, review and early-warning
    settings.

    Built from the file by ``load``; built directly, it is validated all the same (the
    values are replaced by their validated form, every parameter filled in).
    """

    parameters: dict[str, dict[str, Any]]
    weights: dict[str, float]
    fusion: dict[str, Any]
    source: str
    review: dict[str, Any] = field(default_factory=dict)
    early_warning: dict[str, Any] = field(default_factory=dict)
    learning: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rules = validate_rules(
            {
                **self.parameters,
                "fusion": self.fusion,
                "weights": self.weights,
                "review": self.review,
                LEARNING: self.learning,
                EARLY_WARNING: self.early_warning,
            },
            self.source,
        )
        valid = {name: getattr(rules, name).model_dump() for name in (*SECTIONS, *DETECTORS)}
        object.__setattr__(self, "parameters", {name: valid[name] for name in DETECTORS})
        object.__setattr__(self, "weights", valid["weights"])
        object.__setattr__(self, "fusion", valid["fusion"])
        object.__setattr__(self, "review", valid["review"])
        object.__setattr__(self, EARLY_WARNING, valid[EARLY_WARNING])
        object.__setattr__(self, LEARNING, valid[LEARNING])

    @classmethod
    def load(cls, path: Path | None = None) -> DetectorConfig:
        path = path or DEFAULT_RULES
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise RulesError(f"cannot read the rules file {path}: {exc}") from exc
        return cls(
            parameters={k: v for k, v in data.items() if k not in SECTIONS},
            weights=data.get("weights", {}),
            fusion=data.get("fusion", {}),
            source=str(path),
            review=data.get("review", {}),
            early_warning=data.get(EARLY_WARNING, {}),
            learning=data.get(LEARNING, {}),
        )

    @property
    def reopen_margin(self) -> float:
        """Points a dismissed flag's score must rise by in a rerun before it reopens."""
        return float(self.review["reopen_margin"])

    @property
    def learning_settings(self) -> Learning:
        """The [learning] section: when the learned ranker is used and with what weight."""
        return Learning.model_validate(self.learning)

    @property
    def warning_settings(self) -> WarningSettings:
        """The [early_warning] section: thresholds and weights of the trade-flow warnings."""
        return _warning_model().model_validate(self.early_warning)

    def build(self, level: str = "shipment") -> list[Detector]:
        """Fresh, unfitted detectors of one level with this configuration's parameters."""
        return [
            cls(**self.parameters[name]) for name, cls in DETECTORS.items() if cls.level == level
        ]

    @property
    def version(self) -> str:
        """Same detectors, same settings, same transship: same version (and same flag ids).

        The review policy and the early-warning settings are left out: they change what
        happens to decisions and which trade-flow warnings are raised, not a flag's score.
        So are the learning settings: the learned part moves scores under one version as
        decisions accrue, and each run records the learned model it used.
        """
        payload = json.dumps(
            [
                self.parameters,
                self.weights,
                self.fusion,
                sorted(DETECTORS),
                metadata.version("transship"),
            ],
            sort_keys=True,
        )
        return "d" + hashlib.sha256(payload.encode()).hexdigest()[:11]
