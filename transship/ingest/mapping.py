"""Column-mapping files (TOML) that bring other shipment layouts into the contract.

Example (``fixtures/mappings/korea_customs.toml``)::

    name = "korea-customs"
    description = "Korean customs import declarations"

    [columns]              # canonical column = header in the source file
    shipment_id = "Declaration ID"
    weight_kg = "Net Mass"
    value_usd = "Item Price"

    [currency]             # value_usd is given in another currency
    code = "KRW"
    usd_per_unit = 0.000862
    rate_note = "2020-2021 average"

    [constants]            # fill a canonical column with one value for every row
    import_country = "KR"
    port_of_unlading = "KR"

    [attributes]           # more columns of the source, kept beside the shipment
    customs_office = { column = "Office ID", kind = "category" }
    tax_rate = { column = "Tax Rate", kind = "number" }
    declarant = { column = "Declarant ID", kind = "identifier" }

An attribute is a number (a value that does not parse quarantines the row, as any bad
number does), a category (a small vocabulary: the learner reads it as categories) or an
identifier (kept, never read by a model: identifiers as categories learn the traders by
heart). Attributes live in their own table (``shipment_attributes``), so the shipment
contract stays as it is.
"""

from __future__ import annotations

import re
import tomllib
from typing import TYPE_CHECKING, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveFloat,
    ValidationError,
    field_validator,
    model_validator,
)

from transship.errors import MappingError
from transship.ingest.contract import CONTRACT_COLUMNS

if TYPE_CHECKING:
    from pathlib import Path


class CurrencyConversion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    usd_per_unit: PositiveFloat
    rate_note: str = ""


ATTRIBUTE_KINDS = ("number", "category", "identifier")
_ATTRIBUTE_NAME = re.compile(r"[a-z][a-z0-9_]*")


class Attribute(BaseModel):
    """A source column kept as an attribute of the shipment."""

    model_config = ConfigDict(extra="forbid")

    column: str = Field(min_length=1)
    kind: Literal["number", "category", "identifier"]


class ColumnMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    columns: dict[str, str] = Field(default_factory=dict)
    constants: dict[str, str] = Field(default_factory=dict)
    currency: CurrencyConversion | None = None
    attributes: dict[str, Attribute] = Field(default_factory=dict)

    @field_validator("attributes")
    @classmethod
    def _attribute_names(cls, attributes: dict[str, Attribute]) -> dict[str, Attribute]:
        bad = [name for name in attributes if not _ATTRIBUTE_NAME.fullmatch(name)]
        if bad:
            raise ValueError(
                f"attribute names {bad} must be lower-case letters, digits and underscores"
            )
        canonical = sorted(set(attributes) & set(CONTRACT_COLUMNS))
        if canonical:
            raise ValueError(
                f"attributes {canonical} are canonical columns; map them under [columns]"
            )
        return attributes

    @model_validator(mode="after")
    def _known_columns(self) -> ColumnMapping:
        unknown = sorted((set(self.columns) | set(self.constants)) - set(CONTRACT_COLUMNS))
        if unknown:
            raise ValueError(
                f"unknown canonical columns {unknown}; expected some of {list(CONTRACT_COLUMNS)}"
            )
        both = sorted(set(self.columns) & set(self.constants))
        if both:
            raise ValueError(f"columns {both} are both renamed and filled with a constant")
        return self

    @property
    def usd_per_unit(self) -> float:
        return self.currency.usd_per_unit if self.currency else 1.0


IDENTITY = ColumnMapping(name="canonical")


def load_mapping(path: Path) -> ColumnMapping:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise MappingError(f"mapping file {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"mapping file {path} is not valid TOML: {exc}") from exc
    try:
        return ColumnMapping.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'mapping'}: {e['msg']}" for e in exc.errors()
        )
        raise MappingError(f"mapping file {path} is invalid: {problems}") from exc
