"""Evaluation: the flags against a world's labels, the corridor detectors against real data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from transship.cli.common import DbOption, MaterialsOption, console, opened_store
from transship.evaluation.labels import Evaluation


def evaluate(
    labels: Annotated[Path, typer.Option(help="CSV with shipment_id, label, positive")],
    k: Annotated[
        int | None, typer.Option("--k", help="Review budget [default: twice the positives]")
    ] = None,
    out: Annotated[Path, typer.Option(help="Where the JSON report goes")] = Path(
        "data/evaluation.json"
    ),
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Score the current flags against labels: precision and recall at K, average precision.

    Example:

        transship evaluate --labels data/demo-world/labels.csv --k 500
    """
    import json

    from transship.evaluation.labels import evaluate_store

    with opened_store(db, materials, read_only=True) as con:
        result = evaluate_store(con, labels, k)
    print_evaluation(result)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result.to_dict(), indent=2) + "\n")
    console.print(f"written to {out}")


def print_evaluation(result: Evaluation) -> None:
    table = Table(title=f"Evaluation at K = {result.k}", title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("positives", str(result.positives))
    table.add_row("flagged shipments", str(result.flagged))
    table.add_row("precision@K", f"{result.precision_at_k:.3f}")
    table.add_row("recall@K", f"{result.recall_at_k:.3f}")
    table.add_row("average precision", f"{result.average_precision:.3f}")
    for scheme, recall in result.scheme_recall_at_k.items():
        table.add_row(f"recall@K {scheme}", f"{recall:.3f}")
    for name, presence in result.look_alike_in_top_k.items():
        table.add_row(
            f"look-alike {name} in top K",
            f"{presence['in_top_k']:.0f} ({presence['share_of_look_alike']:.1%})",
        )
    table.add_row("background in top K", str(result.background_in_top_k))
    console.print(table)


def evaluate_real(
    data_dir: Annotated[Path, typer.Argument(help="The shared data folder")],
    db: Annotated[Path, typer.Option(help="Scratch store for the real data")] = Path(
        "data/real-evaluation.duckdb"
    ),
    materials: MaterialsOption = None,
) -> None:
    """Check the corridor detectors on real trade statistics (UN Comtrade, China monthly).

    Exits 1 if any expected finding is missing (Thailand->US antimony flagged with both
    legs, Mexico not, the US/China 8112.92 mirror gap, China's 2024 8112.92 rises to
    Hong Kong, Malaysia and Belgium; Thailand->Korea antimony flagged with both legs in
    Korea's words, Japan->Korea 8112.92 not, the Japan/China 8112.92 mirror gap scored
    from Japan's report, no Korean or Japanese statement naming the US as importer).

    Example:

        transship evaluate-real ../shared/data
    """
    from transship.evaluation.real import evaluate_real_data

    with opened_store(db, materials) as con:
        checks = evaluate_real_data(con, data_dir)
    for check_result in checks:
        mark = "[green]PASS[/]" if check_result.passed else "[red]FAIL[/]"
        console.print(f"{mark} {check_result.expectation}", highlight=False)
        console.print(f"     {check_result.evidence}", highlight=False, style="dim")
    if not all(c.passed for c in checks):
        raise typer.Exit(1)
