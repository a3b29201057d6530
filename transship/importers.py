"""Who exports under control and who imports: the controlling exporter, named once, and how
reasons, charts and exports name a shipment's importing country.

transship watches what arrives in an importing country (the US, Korea, Japan, ...) from a
controlling exporter's material rerouted through third countries. A store may hold
several importing countries; every sentence speaks of the shipment's own: "US imports of
8110.10 from Thailand", "Korean imports of 8110.10 from Thailand", and for a country
without an adjective in ``ref_importers`` "imports of 8110.10 into Burkina Faso from
Thailand".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from collections.abc import Mapping

CONTROLLING_EXPORTER = "CN"
"""The country whose export controls transship watches (alpha-2)."""
CONTROLLING_EXPORTER_NAME = "China"

NAME = "import_country_name"
"""How a sentence names the importing country: 'the US', 'Korea', 'Burkina Faso'."""
ADJECTIVE = "import_country_adjective"
"""Its adjective where ``ref_importers`` has one: 'US', 'Korean'; else null."""


def import_country_names(
    frame: pl.DataFrame, importers: pl.DataFrame, countries: pl.DataFrame
) -> pl.DataFrame:
    """``frame`` with ``NAME`` and ``ADJECTIVE`` for its ``import_country``: from
    ``importers`` (code, adjective, name), else the country's name, else its code."""
    known = importers.select(
        import_country="code", **{ADJECTIVE: "adjective", "_importer_name": "name"}
    )
    names = countries.select(import_country="code", _country_name="name")
    return (
        frame.join(known, on="import_country", how="left", maintain_order="left")
        .join(names, on="import_country", how="left", maintain_order="left")
        .with_columns(pl.coalesce("_importer_name", "_country_name", "import_country").alias(NAME))
        .drop("_importer_name", "_country_name")
    )


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def imports_of(r: Mapping[str, Any], goods: str, start: bool = True) -> str:
    """'US imports of 8110.10', 'Korean imports of 8110.10', 'imports of 8110.10 into
    Burkina Faso'; capitalised to start a sentence unless ``start`` is False."""
    adjective = r.get(ADJECTIVE)
    text = f"{adjective} imports of {goods}" if adjective else f"imports of {goods} into {r[NAME]}"
    return _capitalised(text) if start else text


def imports(r: Mapping[str, Any], start: bool = False) -> str:
    """'US imports', 'Korean imports', 'imports into Burkina Faso'."""
    adjective = r.get(ADJECTIVE)
    text = f"{adjective} imports" if adjective else f"imports into {r[NAME]}"
    return _capitalised(text) if start else text


def importer(r: Mapping[str, Any], start: bool = False) -> str:
    """The importing country as a sentence names it: 'the US', 'Korea'."""
    name = str(r[NAME])
    return _capitalised(name) if start else name


def reported_imports(r: Mapping[str, Any]) -> str:
    """'US-reported imports', 'Korean-reported imports', 'imports reported by Burkina
    Faso'."""
    adjective = r.get(ADJECTIVE)
    return f"{adjective}-reported imports" if adjective else f"imports reported by {r[NAME]}"


def statistics_of(r: Mapping[str, Any]) -> str:
    """'US trade statistics', 'Korean trade statistics', 'trade statistics of Burkina
    Faso'."""
    adjective = r.get(ADJECTIVE)
    return f"{adjective} trade statistics" if adjective else f"trade statistics of {r[NAME]}"
