"""Evaluation: the flags against a world's labels, replaying history with the analysts'
decisions, and the corridor detectors against real data."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from transship.cli.common import (
    DbOption,
    MaterialsOption,
    RulesOption,
    console,
    errors,
    opened_store,
    parse_date,
    reported,
    settings_for,
)

if TYPE_CHECKING:
    from transship.evaluation.labels import Evaluation
    from transship.learning.replay import ReplayResult

app = typer.Typer(rich_markup_mode="rich")


@app.callback(invoke_without_command=True)
def evaluate(
    ctx: typer.Context,
    labels: Annotated[
        Path | None, typer.Option(help="CSV with shipment_id, label, positive")
    ] = None,
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
    `transship evaluate feedback` replays history with analysts' decisions instead.

    Example:

        transship evaluate --labels data/demo-world/labels.csv --k 500
    """
    if ctx.invoked_subcommand is not None:
        return
    if labels is None:
        errors.print(
            "[bold red]error:[/] --labels is required (a CSV of shipment_id, label, positive)"
        )
        raise typer.Exit(2)
    import json

    from transship.evaluation.labels import evaluate_store

    with opened_store(db, materials, read_only=True) as con:
        result = evaluate_store(con, labels, k)
    print_evaluation(result)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result.to_dict(), indent=2) + "\n")
    console.print(f"written to {out}")


@app.command("feedback")
def feedback(
    labels: Annotated[
        list[Path],
        typer.Option(help="Labels revealed when reviewed (repeat for several files)"),
    ],
    start: Annotated[str, typer.Option(help="First arrival date replayed, YYYY-MM-DD")],
    end: Annotated[str, typer.Option(help="Last arrival date replayed, YYYY-MM-DD")],
    id_column: Annotated[str, typer.Option(help="The labels' id column")] = "shipment_id",
    label_column: Annotated[
        str, typer.Option(help="The labels' outcome column: 1 fraud, 0 clean")
    ] = "positive",
    budget: Annotated[
        str, typer.Option(help="Reviews per period, a share like 10% (of arrivals or flags)")
    ] = "10%",
    budget_of: Annotated[str, typer.Option(help="arrivals | flags")] = "arrivals",
    every: Annotated[str, typer.Option(help="day | week | month")] = "week",
    explore: Annotated[
        str | None,
        typer.Option(help=r"Share of the budget chosen for learning \[default: the rules']"),
    ] = None,
    known: Annotated[
        list[Path] | None,
        typer.Option(help="Labels already decided before the replay (past outcomes)"),
    ] = None,
    lag_days: Annotated[
        int, typer.Option(min=0, help="Known labels count from arrival plus this many days")
    ] = 30,
    import_country: Annotated[
        str | None,
        typer.Option(help=r"Importing country replayed, alpha-2 \[default: the range's only one]"),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write the report as JSON")] = None,
    scores_out: Annotated[
        Path | None, typer.Option(help="Write every replayed shipment's scores as CSV")
    ] = None,
    rules: RulesOption = None,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Replay history with analysts' decisions, beside the same replay without learning.

    Each period the top of the queue (plus the share chosen for learning) is reviewed by
    revealing its true labels as decisions, the learner retrains, and the next period is
    scored. Reports precision and recall at 1%, 5% and 10% per period and overall. Labels
    files are checked as `transship review import` checks them (ids quarantined at ingest
    are skipped). A replay is of one importing country's shipments, decisions and budget.

    Example:

        transship evaluate feedback --labels train.csv --labels valid.csv --labels test.csv
            --id-column "Declaration ID" --label-column Fraud --budget 10% --every week
            --start 2020-01-01 --end 2021-06-30 --out replay.json
    """
    import json
    from dataclasses import replace

    from transship.detectors import DetectorConfig
    from transship.learning.labels import LabelColumns
    from transship.learning.replay import (
        Budget,
        ReplayError,
        known_decisions,
        parse_share,
        read_label_files,
        replay,
    )

    first, last = parse_date(start, "--start"), parse_date(end, "--end")
    assert first is not None and last is not None
    settings = settings_for(db, materials)
    with reported():
        if budget_of not in ("arrivals", "flags"):
            raise ReplayError(f"--budget-of must be arrivals or flags, not {budget_of!r}")
        config = DetectorConfig.load(rules or settings.rules)
        if explore is not None:
            share = parse_share(explore, "--explore")
            config = replace(config, learning={**config.learning, "explore_share": share})
        plan = Budget(parse_share(budget, "--budget"), budget_of)  # type: ignore[arg-type]
    columns = LabelColumns(id_column, label_column)
    with opened_store(db, materials, read_only=True) as con:
        truth, skipped = read_label_files(con, labels, columns)
        past = None
        if known:
            decided, skipped_known = read_label_files(con, known, columns)
            skipped += skipped_known
            past = known_decisions(con, decided, lag_days)
        result = replay(con, truth, first, last, plan, every, config, past, skipped, import_country)
    print_replay(result)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result.to_dict(), indent=2) + "\n")
        console.print(f"report written to {out}", highlight=False)
    if scores_out is not None:
        result.scores.write_csv(scores_out)
        console.print(f"{result.scores.height:,} shipments' scores written to {scores_out}")


def print_replay(result: ReplayResult) -> None:
    if result.skipped:
        errors.print(
            f"[yellow]skipped:[/] {len(result.skipped):,} labelled ids were quarantined at "
            "ingest and have no shipment",
            highlight=False,
        )
    table = Table(
        title=(
            f"Replay of imports into {result.import_country}, {result.start} to {result.end}, "
            f"every {result.every}, budget "
            f"{result.budget.share:.0%} of {result.budget.of}, "
            f"{result.explore_share:.0%} of it chosen for learning"
        ),
        title_justify="left",
    )
    table.add_column("measure")
    table.add_column("learning", justify="right")
    table.add_column("no learning", justify="right")
    on, off = result.summary["learning"], result.summary["no_learning"]

    def cell(value: object) -> str:
        return "—" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)

    for share in on["precision_at"]:
        table.add_row(
            f"precision@{share}", cell(on["precision_at"][share]), cell(off["precision_at"][share])
        )
    for share in on["recall_at"]:
        table.add_row(
            f"recall@{share}", cell(on["recall_at"][share]), cell(off["recall_at"][share])
        )
    table.add_row("reviewed", cell(on["reviewed"]), cell(off["reviewed"]))
    table.add_row("found by reviewing", cell(on["found"]), cell(off["found"]))
    table.add_row(
        "reviewed precision", cell(on["reviewed_precision"]), cell(off["reviewed_precision"])
    )
    table.add_row(
        "chosen for learning (precision)",
        f"{on['chosen_for_learning']['reviewed']} ({cell(on['chosen_for_learning']['precision'])})",
        "—",
    )
    if "flags" in on and "flags" in off:
        table.add_row(
            "flags: average precision",
            cell(on["flags"]["average_precision"]),
            cell(off["flags"]["average_precision"]),
        )
        for scheme, recall in on["flags"]["scheme_recall_at_k"].items():
            table.add_row(
                f"flags: recall@K {scheme}",
                cell(recall),
                cell(off["flags"]["scheme_recall_at_k"][scheme]),
            )
    console.print(table)


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
