"""The demo: a synthetic trade world through everything transship does.

It generates the demo world with ``transship.world`` (seeded, so every demo sees the
same world), ingests it, resolves its traders' spellings into entities, backfills the
whole period and evaluates the flags against the world's labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from transship.detectors import DetectorConfig
from transship.entities.resolve import resolve_new
from transship.evaluation.labels import Evaluation, evaluate_store
from transship.ingest.flows import ingest_flows
from transship.ingest.shipments import ingest_shipments
from transship.run.pipeline import detect
from transship.storage.store import store
from transship.world.generate import generate

if TYPE_CHECKING:
    from pathlib import Path

    from transship.run.scoring import Progress
    from transship.settings import Settings


@dataclass
class DemoResult:
    world: Path
    steps: list[str]
    evaluation: Evaluation


def run_demo(
    settings: Settings,
    world: Path,
    size: str = "demo",
    progress: Progress | None = None,
    prefect: bool = False,
    import_country: str = "US",
) -> DemoResult:
    """Generate the world of ``import_country``'s imports, ingest it, resolve its traders
    and score it; with ``prefect`` through the Prefect flows (ingest, a backfill up to the
    last day, the nightly run for the last day), otherwise through the library directly."""
    manifest = generate(world, size, import_country=import_country)
    start, end = (date.fromisoformat(d) for d in manifest["period"])
    shipments, flows = world / "shipments.csv", world / "flows.csv"
    if prefect:
        from transship.flows import backfill, ingest, nightly

        loaded = ingest([shipments], [flows], settings.db, settings.materials)
        steps = [f"{step['file']}: {step['loaded']} rows loaded" for step in loaded]
        steps.append(_resolve(settings))
        backfill(start, end - timedelta(days=1), settings.db, settings.rules, settings.materials)
        nightly(end, settings.db, rules=settings.rules, materials=settings.materials)
    else:
        config = DetectorConfig.load(settings.rules)
        with store(
            settings.db, memory_limit=settings.memory_limit, materials=settings.materials
        ) as con:
            results = list(ingest_shipments(con, [shipments]))
            results += list(ingest_flows(con, [flows], "canonical"))
        steps = [r.summary() for r in results] + [_resolve(settings)]
        with store(
            settings.db, memory_limit=settings.memory_limit, materials=settings.materials
        ) as con:
            run = detect(con, start, end, config, "backfill", progress)
        steps.append(run.summary())
    with store(settings.db, read_only=True, materials=settings.materials) as con:
        evaluation = evaluate_store(con, world / "labels.csv")
    return DemoResult(world, steps, evaluation)


def _resolve(settings: Settings) -> str:
    """Resolve the world's trader spellings into entities (the model is trained the first
    time), as a store's first resolution is done once before its runs."""
    with store(
        settings.db, memory_limit=settings.memory_limit, materials=settings.materials
    ) as con:
        done = resolve_new(con)
    alone = "".join(f"; no {role} spelling variants to learn from" for role in done.no_variants)
    return (
        f"{done.spellings:,} trader spellings resolved into {done.entities:,} entities "
        f"({done.links:,} links, {done.seconds:.1f} s{alone})"
    )
