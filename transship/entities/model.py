"""The Splink model that says which spellings of a trader are one firm.

One model per role (exporters, importers), because what a name shares with another means
different things for each: an exporter's country of export is strong evidence, every
importer of one store imports into the same country. Each model is Fellegi-Sunter,
trained without labels: u from random pairs, m by expectation maximisation, on these
comparisons of one spelling's record with another's:

- the name's core (``normalise.py``): the same; one edit apart (a typo, a plural); one
  name's words all within the other's (a dropped word); anything else. No level for
  names further apart: firm names are made of common words, and two firms whose names
  differ in one short word ('Sun Oak Trading', 'Sun Oat Trading' is a typo, 'Summit
  Eagle Trading' and 'Unity Eagle Trading' are two firms) score as high on Jaro-Winkler
  or two edits as one firm's typos, so such a level holds mostly different firms and
  only destabilises training;
- exporters: the country of export, the same or not; importers: the countries of origin
  they buy from (shared or not);
- the ports (of lading for exporters, of unlading for importers), HS chapters and trading
  partners (partners' name cores) each spelling was seen with: two shared, one, none.

A name alone is weak evidence (Splink's guidance for company names): two firms can share
a core ('Golden Metals' of Thailand and of Mexico), and the context fields are what
tells them apart. Splink runs on its own in-memory DuckDB, so the store only sees the
results.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from transship.errors import EntityError, NoSpellingVariantsError

ROLES = ("exporter", "importer")
RECORD_COLUMNS = (
    "unique_id",
    "core_name",
    "first_token",
    "second_token",
    "last_token",
    "tokens",
    "country",
    "origins",
    "ports",
    "chapters",
    "partners",
)
"""The columns of a spelling's record, as the model reads them."""

DEFAULT_THRESHOLD = 0.95
"""Match probability at or above which two spellings are linked. Chosen as a round
probability ('19 to 1 that they are one firm'), not fitted to a world; the benchmark
reports precision and recall at 0.9 and 0.99 beside it."""

# How many random pairs estimate u: enough to see two unrelated names agree exactly a
# few dozen times, and bounded, since each pair costs the string distances (about 7 us).
U_PAIRS = 3e5
SEED = 42
# EM drives a level that no training pair of one firm happened to show (two spellings
# that share no chapter, say) to m = 0, and a level that no random pair showed to u = 0:
# either would let that one field veto or force every link. No level is impossible for
# a firm, so m and u are kept at or above this (a level weighs at most about 13 bits).
FLOOR = 1e-4
# EM iterations per session: Splink's default first, then stopped earlier if it
# degenerates (see _expectation_maximisation).
MAX_ITERATIONS = (25, 10, 4, 1)

# Splink logs every step at INFO; transship reports what it did itself.
logging.getLogger("splink").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Trained:
    """A role's trained model: Splink's settings (with every m and u) as a dict."""

    role: str
    settings: dict[str, Any]


def _comparisons(role: str) -> list[Any]:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    name = cl.CustomComparison(
        comparison_levels=[
            cll.NullLevel("core_name"),
            cll.ExactMatchLevel("core_name"),
            cll.DamerauLevenshteinLevel("core_name", 1),
            cll.CustomLevel(
                "least(len(tokens_l), len(tokens_r)) >= 2 AND "
                "(list_has_all(tokens_l, tokens_r) OR list_has_all(tokens_r, tokens_l))",
                label_for_charts="one name's words within the other's",
            ),
            cll.ElseLevel(),
        ],
        output_column_name="core_name",
        comparison_description="name without case, punctuation and legal form",
    )
    place = (
        cl.ExactMatch("country")
        if role == "exporter"
        else cl.ArrayIntersectAtSizes("origins", [1]).configure(term_frequency_adjustments=False)
    )
    return [
        name,
        place,
        cl.ArrayIntersectAtSizes("ports", [2, 1]),
        cl.ArrayIntersectAtSizes("chapters", [1]),
        cl.ArrayIntersectAtSizes("partners", [2, 1]),
    ]


def _blocking_rules() -> list[Any]:
    """Pairs worth comparing: the same core; or two of the first, second and last words
    shared (so a typo in any one word, or a dropped middle word, still meets)."""
    from splink import block_on

    return [
        block_on("core_name"),
        block_on("first_token", "last_token"),
        block_on("first_token", "second_token"),
        block_on("second_token", "last_token"),
    ]


def settings(role: str) -> Any:
    from splink import SettingsCreator

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=_comparisons(role),
        blocking_rules_to_generate_predictions=_blocking_rules(),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def _api() -> Any:
    from splink import DuckDBAPI

    return DuckDBAPI(duckdb.connect(":memory:"))


def _register(api: Any, records: pl.DataFrame, name: str) -> Any:
    return api.register(records.select(RECORD_COLUMNS).to_arrow(), table_name=name)


def train(role: str, records: pl.DataFrame) -> Trained:
    """Train the role's model on its spellings (one record each, ``RECORD_COLUMNS``).

    Names where no two spellings share a folded name (and, for exporters, a country)
    show no variants: the prior cannot be estimated and no pair could be linked at it,
    so that is said (``NoSpellingVariantsError``) rather than trained on.
    """
    from splink import Linker, block_on

    same = ["core_name", "country"] if role == "exporter" else ["core_name"]
    if records.group_by(same).len().filter(pl.col("len") > 1).is_empty():
        raise NoSpellingVariantsError(
            f"no two of the {records.height} {role}s' spellings share a name"
            + (" and a country" if role == "exporter" else "")
            + " once folded: the names show no variants to learn from"
        )

    api = _api()
    spellings = _register(api, records, "spellings")
    linker = Linker(spellings, settings(role), log_level=logging.ERROR)
    # The prior: spellings with the same core (and country) are nearly always one firm,
    # and about half of a firm's pairs of spellings share a core.
    linker.training.estimate_probability_two_random_records_match(
        [block_on("core_name", "country") if role == "exporter" else block_on("core_name")],
        recall=0.5,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=U_PAIRS, seed=SEED)
    state = linker.misc.save_model_to_json()
    # m of the context fields from pairs with the same core; m of the name from pairs
    # that share their first and last words (both mixes of matches and non-matches).
    for rule in (block_on("core_name"), block_on("first_token", "last_token")):
        state = _expectation_maximisation(spellings, state, rule, role, records.height)
    return Trained(role, floored(state))


def _expectation_maximisation(
    spellings: Any, state: dict[str, Any], rule: Any, role: str, count: int
) -> dict[str, Any]:
    """One EM session from the model ``state``, with fewer iterations if it degenerates.

    EM can drive the m of a level that holds only different firms towards 0 until it
    underflows, and Splink then refuses the value: the session is run again from the same
    start, stopped earlier, when the estimate was still a number.
    """
    from splink import Linker
    from splink.internals.exceptions import SplinkException

    failure: Exception | None = None
    for iterations in MAX_ITERATIONS:
        linker = Linker(spellings, {**state, "max_iterations": iterations}, log_level=logging.ERROR)
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, record_sample_proportion=1.0
            )
        except (ValueError, SplinkException) as exc:
            failure = exc
            continue
        trained: dict[str, Any] = linker.misc.save_model_to_json()
        return trained
    raise EntityError(
        f"the {role}s' model could not be trained on these {count} spellings: {failure}"
    )


def floored(settings: dict[str, Any]) -> dict[str, Any]:
    """The settings with every m and u probability at least FLOOR (see FLOOR); a level
    that training never saw gets FLOOR rather than Splink's untrained default."""
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            for key in ("m_probability", "u_probability"):
                level[key] = max(float(level.get(key) or 0.0), FLOOR)
    return settings


def _pairs(result: Any) -> pl.DataFrame:
    frame: pl.DataFrame = result.as_duckdbpyrelation().pl()
    return frame.select(
        pl.col("unique_id_l").cast(pl.Int64),
        pl.col("unique_id_r").cast(pl.Int64),
        pl.col("match_probability").cast(pl.Float64),
        pl.col("match_weight").cast(pl.Float64),
    )


def predict(trained: Trained, records: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Every pair of spellings the model links at ``threshold`` or above:
    unique_id_l, unique_id_r, match_probability, match_weight."""
    from splink import Linker

    api = _api()
    linker = Linker(_register(api, records, "spellings"), trained.settings, log_level=logging.ERROR)
    return _pairs(linker.inference.predict(threshold_match_probability=threshold))


def predict_new(
    trained: Trained, existing: pl.DataFrame, new: pl.DataFrame, threshold: float
) -> pl.DataFrame:
    """Splink's link-new-records path: pairs between new spellings and the existing ones,
    and among the new spellings, at ``threshold`` or above; the existing ones are not
    compared with each other again."""
    from splink import Linker

    api = _api()
    old = _register(api, existing, "existing")
    fresh = _register(api, new, "new")
    linker = Linker(old, trained.settings, log_level=logging.ERROR)
    between = linker.inference.predict_between(
        old, fresh, threshold_match_probability=threshold, warning_mode="never"
    )
    within = linker.inference.predict_within(
        fresh, threshold_match_probability=threshold, warning_mode="never"
    )
    return pl.concat([_pairs(between), _pairs(within)])
