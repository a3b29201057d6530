"""The ``transship`` command line: each command parses options and calls one library function."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from duckdb import DuckDBPyConnection
from rich.console import Console
from rich.table import Table

from transship.errors import TransshipError
from transship.evaluation.labels import Evaluation
from transship.ingest.batch import IngestResult
from transship.settings import Settings

app = typer.Typer(
    help="Find shipments of export-controlled minerals rerouted through third countries.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


def _command_group(name: str, help_text: str) -> typer.Typer:
    group = typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode="rich")
    app.add_typer(group, name=name)
    return group


ingest_app = _command_group("ingest", "Load shipment records and trade statistics into the store.")
schedule_app = _command_group(
    "schedule", "The nightly Prefect deployment: see it, or serve it from this machine."
)
review_app = _command_group(
    "review", "Work the flag queue from the terminal: list, show the evidence, decide."
)
users_app = _command_group("users", "Analyst accounts for the review app and the decision log.")

console = Console()
errors = Console(stderr=True)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help="DuckDB store file [default: $TRANSSHIP_DB or data/transship.duckdb]"
    ),
]

EXIT_QUARANTINED = 4


def _settings(db: Path | None) -> Settings:
    settings = Settings()
    return settings.model_copy(update={"db": db}) if db is not None else settings


@contextmanager
def _opened_store(db: Path | None, read_only: bool = False) -> Iterator[DuckDBPyConnection]:
    """The store for one command; any transship error becomes a message and an exit code."""
    from transship.storage.store import store

    settings = _settings(db)
    try:
        with store(settings.db, read_only=read_only, memory_limit=settings.memory_limit) as con:
            yield con
    except TransshipError as exc:
        raise _fail(exc) from exc


def _fail(exc: TransshipError) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    return typer.Exit(exc.exit_code)


def _report(results: Iterable[IngestResult]) -> list[IngestResult]:
    done = []
    with console.status("ingesting…") as status:
        for result in _tracked(results, status):
            style = "yellow" if result.rows_quarantined and not result.already_loaded else "green"
            console.print(f"[{style}]•[/] {result.summary()}", highlight=False, soft_wrap=True)
            for note in result.notes:
                console.print(f"  note: {note}", highlight=False)
            done.append(result)
    rows_in = sum(r.rows_in for r in done if not r.already_loaded)
    loaded = sum(r.rows_loaded for r in done if not r.already_loaded)
    console.print(
        f"[bold]{len(done)} files: {rows_in} rows in = {loaded} loaded + {rows_in - loaded} "
        "quarantined[/] (see `transship quarantine`)"
    )
    return done


def _tracked(results: Iterable[IngestResult], status: object) -> Iterator[IngestResult]:
    for count, result in enumerate(results, start=1):
        status.update(f"ingesting… {count} files done")  # type: ignore[attr-defined]
        yield result


def _exit_for(results: list[IngestResult], strict: bool) -> None:
    if strict and any(r.rows_quarantined and not r.already_loaded for r in results):
        raise typer.Exit(EXIT_QUARANTINED)


def _print_frame(frame: pl.DataFrame, title: str) -> None:
    table = Table(title=title, title_justify="left")
    for column in frame.columns:
        table.add_column(column)
    for row in frame.iter_rows():
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


@app.command()
def init(db: DbOption = None) -> None:
    """Create the store, or upgrade an older one. Safe to run again.

    Example:

        transship init --db data/transship.duckdb
    """
    with _opened_store(db):
        pass
    console.print(f"store ready at {_settings(db).db}")


StrictOption = Annotated[
    bool,
    typer.Option("--strict", help=f"Exit with code {EXIT_QUARANTINED} if any row was quarantined"),
]


@ingest_app.command("shipments")
def ingest_shipments_command(
    paths: Annotated[list[Path], typer.Argument(help="CSV or Parquet files")],
    mapping: Annotated[
        Path | None, typer.Option(help="TOML column mapping for a non-canonical layout")
    ] = None,
    strict: StrictOption = False,
    db: DbOption = None,
) -> None:
    """Load shipment records; every row is loaded or quarantined with a reason.

    Each file is one batch, committed whole or not at all; a file already ingested
    loads nothing again. A file missing required columns is refused (exit code 2).

    Example:

        transship ingest shipments drops/2025-01-06.csv
        transship ingest shipments declarations.csv --mapping korea_customs.toml
    """
    from transship.ingest.mapping import IDENTITY, load_mapping
    from transship.ingest.shipments import ingest_shipments

    try:
        chosen = load_mapping(mapping) if mapping else IDENTITY
    except TransshipError as exc:
        raise _fail(exc) from exc
    with _opened_store(db) as con:
        results = _report(ingest_shipments(con, paths, chosen))
    _exit_for(results, strict)


@ingest_app.command("flows")
def ingest_flows_command(
    paths: Annotated[list[Path], typer.Argument(help="CSV or Parquet files (.gz accepted)")],
    input_format: Annotated[
        str, typer.Option("--format", help="canonical | comtrade | china-monthly | census")
    ] = "canonical",
    strict: StrictOption = False,
    db: DbOption = None,
) -> None:
    """Load aggregate trade statistics through the adapter for their publisher.

    Example:

        transship ingest flows comtrade_2024.csv.gz --format comtrade
    """
    from transship.ingest.flows import ingest_flows

    with _opened_store(db) as con:
        results = _report(ingest_flows(con, paths, input_format))
    _exit_for(results, strict)


@ingest_app.command("census")
def ingest_census_command(
    partner: Annotated[list[str], typer.Option(help="Partner country (ISO2 or name); repeat")],
    hs: Annotated[list[str], typer.Option(help="HS code to fetch; repeat")],
    start: Annotated[str, typer.Option(help="First month, YYYY-MM")],
    end: Annotated[str, typer.Option(help="Last month, YYYY-MM")],
    snapshot_dir: Annotated[
        Path, typer.Option(help="Where the fetched CSV snapshot is kept")
    ] = Path("data/census"),
    db: DbOption = None,
) -> None:
    """Fetch US monthly imports from the Census API (ustrade) and load them.

    Needs network access to api.census.gov. The response is kept as a CSV snapshot
    so the batch can be traced and reloaded offline.

    Example:

        transship ingest census --partner TH --partner MX --hs 811010 --start 2024-01 --end 2024-12
    """
    from transship.ingest.census import fetch_census_snapshot
    from transship.ingest.flows import ingest_flows

    try:
        snapshot = fetch_census_snapshot(partner, hs, start, end, snapshot_dir)
    except TransshipError as exc:
        raise _fail(exc) from exc
    console.print(f"saved {snapshot}")
    with _opened_store(db) as con:
        _report(ingest_flows(con, [snapshot], "census"))


@ingest_app.command("shared")
def ingest_shared_command(
    data_dir: Annotated[Path, typer.Argument(help="The shared data folder")],
    db: DbOption = None,
) -> None:
    """Load the public data sets in a shared data folder through their adapters.

    Comtrade annual files, China's monthly exports by partner, and the Korean customs
    declarations (through the bundled korea-customs mapping).

    Example:

        transship ingest shared ../shared/data --db data/shared.duckdb
    """
    from transship.ingest.shared import load_shared_data

    with _opened_store(db) as con:
        _report(load_shared_data(con, data_dir))


@app.command()
def summary(db: DbOption = None) -> None:
    """Print what the store holds: tables, recent batches, quarantine reasons, top origins.

    Example:

        transship summary --db data/transship.duckdb
    """
    from transship.storage.summary import store_summary

    with _opened_store(db, read_only=True) as con:
        result = store_summary(con)
    _print_frame(result.tables, f"Store {_settings(db).db}")
    _print_frame(result.batches, "Recent ingest batches")
    _print_frame(result.quarantine, "Quarantined rows by reason")
    _print_frame(result.top_origins, "Shipments by declared origin")


@app.command()
def quarantine(
    batch: Annotated[int | None, typer.Option(help="Only this batch")] = None,
    reason: Annotated[str | None, typer.Option(help="Only this reason code")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows")] = 50,
    db: DbOption = None,
) -> None:
    """List quarantined rows with the reason, the line and what was expected.

    Example:

        transship quarantine --reason unknown_country --limit 20
    """
    from transship.storage.summary import quarantined_rows

    with _opened_store(db, read_only=True) as con:
        rows = quarantined_rows(con, batch, reason, limit)
    _print_frame(rows, "Quarantined rows")


@app.command()
def check(db: DbOption = None) -> None:
    """Check the store's keys: unique, not null and relationships. Exit 1 on any failure.

    Example:

        transship check --db data/transship.duckdb
    """
    from transship.storage.checks import run_checks

    with _opened_store(db, read_only=True) as con:
        failures = run_checks(con)
    for failure in failures:
        errors.print(f"[red]FAIL[/] {failure}", highlight=False)
    if failures:
        raise typer.Exit(1)
    console.print("all store checks passed")


RulesOption = Annotated[
    Path | None,
    typer.Option("--rules", help="Detector settings TOML [default: $TRANSSHIP_RULES or bundled]"),
]


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.print(f"[bold red]error:[/] {option} {value!r} is not a date like 2025-01-31")
        raise typer.Exit(2) from None


def _detect(db: Path | None, rules: Path | None, start: date, end: date, kind: str) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from transship.detectors import DetectorConfig
    from transship.run.pipeline import detect

    settings = _settings(db)
    try:
        config = DetectorConfig.load(rules or settings.rules)
    except TransshipError as exc:
        raise _fail(exc) from exc
    with (
        _opened_store(db) as con,
        Progress(
            TextColumn("scoring {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
        ) as bar,
    ):
        task = bar.add_task("…", total=None)

        def progress(month: str, done: int, total: int) -> None:
            bar.update(task, description=month, completed=done, total=total)

        result = detect(con, start, end, config, kind, progress)
    for warning in result.warnings:
        errors.print(f"[yellow]warning:[/] {warning}", highlight=False)
    console.print(result.summary(), highlight=False)


@app.command()
def backfill(
    start: Annotated[str, typer.Option(help="First arrival date, YYYY-MM-DD")],
    end: Annotated[str, typer.Option(help="Last arrival date, YYYY-MM-DD")],
    rules: RulesOption = None,
    db: DbOption = None,
) -> None:
    """Score every shipment that arrived in a date range and replace that range's flags.

    Each month is scored by detectors fitted on the year before it, exactly as the
    nightly run would have scored each day. Analysts' decisions survive. End before
    start exits with code 2; a range with no shipments is a warning.

    Example:

        transship backfill --start 2024-01-01 --end 2025-06-30
    """
    first, last = _date(start, "--start"), _date(end, "--end")
    assert first is not None and last is not None
    _detect(db, rules, first, last, "backfill")


@app.command()
def run(
    run_date: Annotated[
        str | None, typer.Option("--date", help="Day to score, YYYY-MM-DD [default: yesterday]")
    ] = None,
    rules: RulesOption = None,
    db: DbOption = None,
) -> None:
    """Score one day's shipments (the nightly run) and write its flags.

    Example:

        transship run --date 2025-01-14
    """
    day = _date(run_date, "--date") or date.today() - timedelta(days=1)
    _detect(db, rules, day, day, "nightly")


@app.command()
def flags(
    since: Annotated[str | None, typer.Option(help="Flags dated on or after, YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="Flags dated on or before, YYYY-MM-DD")] = None,
    status: Annotated[
        str | None, typer.Option(help="open | confirmed | dismissed | escalated")
    ] = None,
    min_score: Annotated[float, typer.Option(help="Only flags scoring at least this")] = 0.0,
    level: Annotated[str | None, typer.Option(help="shipment | corridor")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many flags")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table | csv | json")] = "table",
    out: Annotated[Path | None, typer.Option(help="Write csv or json here")] = None,
    db: DbOption = None,
) -> None:
    """List flags ranked by score, with their detectors and reasons; export as CSV or JSON.

    Example:

        transship flags --since 2025-01-01 --min-score 80 --format csv --out flags.csv
    """
    from transship.run.flags import EXPORT_FORMATS, export_flags, list_flags

    if output_format not in EXPORT_FORMATS:
        errors.print(f"[bold red]error:[/] --format must be one of {', '.join(EXPORT_FORMATS)}")
        raise typer.Exit(2)
    with _opened_store(db, read_only=True) as con:
        try:
            frame = list_flags(
                con,
                _date(since, "--since"),
                _date(until, "--until"),
                status,
                min_score,
                level,
                limit,
            )
        except TransshipError as exc:
            raise _fail(exc) from exc
    if output_format == "table":
        _print_flags(frame.head(limit or 20))
        return
    if out is None:
        sys.stdout.write(frame.write_csv() if output_format == "csv" else frame.write_json())
        return
    export_flags(frame, output_format, out)
    console.print(f"{frame.height} flags written to {out}")


def _print_flags(frame: pl.DataFrame) -> None:
    table = Table(title="Flags", title_justify="left", show_lines=True)
    for column in ("score", "severity", "date", "origin", "hs code", "reasons"):
        table.add_column(column, overflow="fold")
    for row in frame.iter_rows(named=True):
        table.add_row(
            f"{row['score']:.0f}",
            row["severity"],
            str(row["arrival_date"]),
            row["origin_country"],
            row["hs_code"],
            row["reasons"],
        )
    console.print(table)


@app.command()
def evaluate(
    labels: Annotated[Path, typer.Option(help="CSV with shipment_id, label, positive")],
    k: Annotated[
        int | None, typer.Option("--k", help="Review budget [default: twice the positives]")
    ] = None,
    out: Annotated[Path, typer.Option(help="Where the JSON report goes")] = Path(
        "data/evaluation.json"
    ),
    db: DbOption = None,
) -> None:
    """Score the current flags against labels: precision and recall at K, average precision.

    Example:

        transship evaluate --labels data/demo-world/labels.csv --k 500
    """
    import json

    from transship.evaluation.labels import evaluate_store

    with _opened_store(db, read_only=True) as con:
        try:
            result = evaluate_store(con, labels, k)
        except TransshipError as exc:
            raise _fail(exc) from exc
    _print_evaluation(result)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result.to_dict(), indent=2) + "\n")
    console.print(f"written to {out}")


def _print_evaluation(result: Evaluation) -> None:
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


@app.command("evaluate-real")
def evaluate_real(
    data_dir: Annotated[Path, typer.Argument(help="The shared data folder")],
    db: Annotated[Path, typer.Option(help="Scratch store for the real data")] = Path(
        "data/real-evaluation.duckdb"
    ),
) -> None:
    """Check the corridor detectors on real trade statistics (UN Comtrade, China monthly).

    Exits 1 if any expected finding is missing (Thailand->US antimony flagged with both
    legs, Mexico not, the US/China 8112.92 mirror gap, China's 2024 8112.92 rises to
    Hong Kong, Malaysia and Belgium).

    Example:

        transship evaluate-real ../shared/data
    """
    from transship.evaluation.real import evaluate_real_data

    with _opened_store(db) as con:
        try:
            checks = evaluate_real_data(con, data_dir)
        except TransshipError as exc:
            raise _fail(exc) from exc
    for check_result in checks:
        mark = "[green]PASS[/]" if check_result.passed else "[red]FAIL[/]"
        console.print(f"{mark} {check_result.expectation}", highlight=False)
        console.print(f"     {check_result.evidence}", highlight=False, style="dim")
    if not all(c.passed for c in checks):
        raise typer.Exit(1)


@app.command()
def runs(
    limit: Annotated[int, typer.Option(help="At most this many runs, newest first")] = 20,
    db: DbOption = None,
) -> None:
    """List pipeline runs: kind, dates, detector version, status, counts, time, error.

    Example:

        transship runs --limit 5
    """
    from transship.storage.summary import recent_runs

    with _opened_store(db, read_only=True) as con:
        _print_frame(recent_runs(con, limit), "Runs")


CronOption = Annotated[str, typer.Option(help="Cron expression for the nightly run")]
TimezoneOption = Annotated[
    str | None, typer.Option(help="IANA time zone [default: this machine's]")
]
DropOption = Annotated[
    Path | None, typer.Option(help="Drop folder: <drop>/<YYYY-MM-DD>/shipments|flows/")
]


@schedule_app.command("show")
def schedule_show(
    cron: CronOption = "0 2 * * *",
    timezone: TimezoneOption = None,
    drop_folder: DropOption = None,
    rules: RulesOption = None,
    db: DbOption = None,
) -> None:
    """Print the nightly deployment (schedule and parameters) and how to deploy it.

    Example:

        transship schedule show --cron "30 1 * * *" --timezone Europe/Brussels
    """
    from flows.schedule import DEPLOYMENT, deployment_parameters, nightly_schedule

    schedule = nightly_schedule(cron, timezone)
    parameters = deployment_parameters(_settings(db).db, drop_folder, rules)
    console.print(f"deployment: {DEPLOYMENT} (flow transship-nightly, flows/nightly.py:nightly)")
    console.print(f"schedule:   cron {schedule.cron!r} in {schedule.timezone}", highlight=False)
    console.print(f"parameters: {parameters}", highlight=False)
    console.print(
        "serve here:  transship schedule serve (or make schedule)\n"
        "work pool:   prefect deploy flows/nightly.py:nightly -n transship-nightly "
        f"--cron {cron!r} --pool YOUR_POOL",
        highlight=False,
    )


@schedule_app.command("serve")
def schedule_serve(
    cron: CronOption = "0 2 * * *",
    timezone: TimezoneOption = None,
    drop_folder: DropOption = None,
    rules: RulesOption = None,
    db: DbOption = None,
) -> None:  # pragma: no cover - runs until stopped
    """Serve the nightly deployment from this process until stopped (Ctrl-C).

    Runs appear in the Prefect UI of the server PREFECT_API_URL points to (start one
    with `prefect server start`).

    Example:

        transship schedule serve --drop-folder /srv/customs/drop --db /srv/transship.duckdb
    """
    from flows.schedule import deployment_parameters, nightly_schedule, serve

    serve(
        nightly_schedule(cron, timezone),
        deployment_parameters(_settings(db).db, drop_folder, rules or _settings(db).rules),
    )


@app.command()
def demo(
    world: Annotated[Path, typer.Option(help="Where the demo world is written")] = Path(
        "data/demo-world"
    ),
    db: DbOption = None,
) -> None:
    """Generate the demo world, run the Prefect flows on it, print the top flags and how they rank.

    The ingest flow loads the world, the backfill flow scores every day but the last,
    and the nightly flow scores the last day.

    Example:

        transship demo --db data/demo.duckdb
    """
    from transship.demo import run_demo
    from transship.run.flags import list_flags

    settings = _settings(db)
    try:
        result = run_demo(settings, world, prefect=True)
    except TransshipError as exc:
        raise _fail(exc) from exc
    for step in result.steps:
        console.print(f"• {step}", highlight=False, soft_wrap=True)
    from transship.storage.summary import recent_runs

    with _opened_store(db, read_only=True) as con:
        top = list_flags(con, level="shipment", limit=10)
        _print_frame(recent_runs(con, 5).drop("detectors", "error"), "Runs")
    _print_flags(top)
    _print_evaluation(result.evaluation)
    console.print(
        f"Explore: transship flags --db {settings.db} --min-score 80; "
        f"transship evaluate --db {settings.db} --labels {world / 'labels.csv'}",
        highlight=False,
    )
    console.print(
        f"Review in the browser: transship users add NAME --role admin --db {settings.db}; "
        f"transship serve --db {settings.db} (or `make review`)",
        highlight=False,
    )


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Lower-case user name, e.g. a.lopez")],
    role: Annotated[str, typer.Option(help="analyst | admin")] = "analyst",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
    db: DbOption = None,
) -> None:
    """Add an account; asks for the password twice (at least 12 characters).

    Example:

        transship users add a.lopez --role admin
    """
    from transship.review.users import add_user

    password = _new_password(password_stdin)
    with _opened_store(db) as con:
        try:
            user = add_user(con, name, password, role)
        except TransshipError as exc:
            raise _fail(exc) from exc
    console.print(f"added {user.role} {user.username}")


@users_app.command("password")
def users_password(
    name: Annotated[str, typer.Argument(help="The user whose password to set")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
    db: DbOption = None,
) -> None:
    """Set a new password for an account (asks twice); its open sessions end.

    Example:

        transship users password a.lopez
    """
    from transship.review.users import set_password

    with _opened_store(db) as con:
        try:
            set_password(con, name, _new_password(password_stdin))
        except TransshipError as exc:
            raise _fail(exc) from exc
    console.print(f"password changed for {name}; their sessions have ended")


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("list")
def users_list(db: DbOption = None) -> None:
    """List accounts, their roles and whether they are active.

    Example:

        transship users list
    """
    from transship.review.users import list_users

    with _opened_store(db, read_only=True) as con:
        _print_frame(list_users(con), "Users")


@users_app.command("deactivate")
def users_deactivate(
    name: Annotated[str, typer.Argument(help="The user to deactivate")],
    db: DbOption = None,
) -> None:
    """Deactivate an account and end its sessions (accounts are never deleted: the
    decision log names them).

    Example:

        transship users deactivate a.lopez
    """
    from transship.review.users import set_active

    with _opened_store(db) as con:
        try:
            set_active(con, name, active=False)
        except TransshipError as exc:
            raise _fail(exc) from exc
    console.print(f"deactivated {name}")


@review_app.command("list")
def review_list(
    status: Annotated[
        str, typer.Option(help="open | confirmed | dismissed | escalated | any")
    ] = "open",
    severity: Annotated[str | None, typer.Option(help="high | medium | low")] = None,
    material: Annotated[str | None, typer.Option(help="e.g. antimony")] = None,
    origin: Annotated[str | None, typer.Option(help="Declared origin, alpha-2")] = None,
    hs_code: Annotated[str | None, typer.Option(help="HS code or its prefix, e.g. 8112")] = None,
    since: Annotated[str | None, typer.Option(help="Flags dated on or after, YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="Flags dated on or before, YYYY-MM-DD")] = None,
    detector: Annotated[str | None, typer.Option(help="Only flags this detector raised")] = None,
    level: Annotated[str | None, typer.Option(help="shipment | corridor")] = None,
    page: Annotated[int, typer.Option(help="Page of 50")] = 1,
    out: Annotated[Path | None, typer.Option(help="Write the whole filtered queue as CSV")] = None,
    db: DbOption = None,
) -> None:
    """The review queue: flags ranked by score under filters, 50 a page, with counts.

    Example:

        transship review list --material antimony --severity high --origin TH
    """
    from rich.markup import escape

    from transship.review.evidence import reason_sentences
    from transship.review.filters import OPTION_NAMES, parse_filters
    from transship.review.queue import queue, queue_export

    given = {
        "status": status,
        "severity": severity,
        "material": material,
        "origin": origin,
        "hs_code": hs_code,
        "since": since,
        "until": until,
        "detector": detector,
        "level": level,
    }
    try:
        filters = parse_filters(given, OPTION_NAMES)
    except TransshipError as exc:
        raise _fail(exc) from exc
    with _opened_store(db, read_only=True) as con:
        try:
            if out is not None:
                frame = queue_export(con, filters)
                frame.write_csv(out)
                console.print(f"{frame.height} flags written to {out}")
                return
            result = queue(con, filters, page)
        except TransshipError as exc:
            raise _fail(exc) from exc
    counts = ", ".join(f"{n} {s}" for s, n in result.by_status.items())
    console.print(
        f"{result.matching} flags match (page {result.page} of {result.pages}); "
        f"by status under these filters: {counts}",
        highlight=False,
    )
    table = Table(show_lines=True)
    for column in ("flag", "score", "status", "date", "origin", "hs code", "first reason"):
        table.add_column(column, overflow="fold")
    for row in result.rows.iter_rows(named=True):
        table.add_row(
            row["flag_id"],
            f"{row['score']:.0f} {row['severity']}",
            row["status"],
            str(row["flag_date"]),
            row["origin_country"],
            row["hs_code"],
            escape(reason_sentences(row["reasons"])[0]),
        )
    console.print(table)


@review_app.command("show")
def review_show(
    flag: Annotated[str, typer.Argument(help="Flag id, as listed by `transship review list`")],
    db: DbOption = None,
) -> None:
    """Everything behind one flag: shipment, reasons, each detector's part, both legs,
    the traders' history and every decision taken on it.

    Example:

        transship review show Sa8b2f9f28f731b2
    """
    from transship.review.evidence import flag_evidence

    with _opened_store(db, read_only=True) as con:
        try:
            evidence = flag_evidence(con, flag)
        except TransshipError as exc:
            raise _fail(exc) from exc
    f = evidence.flag
    what = f"shipment {f['shipment_id']}" if f["level"] == "shipment" else f"corridor {f['period']}"
    console.print(
        f"[bold]{f['flag_id']}[/] {what}: score {f['score']:.0f} ({f['severity']}), "
        f"status {f['status']}; {evidence.origin}, HS {f['hs_code']}, {f['flag_date']}",
        highlight=False,
    )
    if f["level"] == "shipment":
        console.print(
            f"{f['exporter']} -> {f['importer']}: {f['weight_kg']:,.1f} kg, "
            f"${f['value_usd']:,.0f}, {f['transport_mode'] or 'mode not declared'}; "
            f"{f['description'] or 'no description'}",
            highlight=False,
        )
    console.print("\n[bold]Why[/]")
    for sentence in evidence.reasons:
        console.print(f"• {sentence}", highlight=False, markup=False)
    console.print("\n[bold]Detectors[/]")
    for part in evidence.contributions:
        console.print(
            f"  {part.detector:<18} own score {part.score:.2f}  "
            f"contribution {part.contribution:.3f}"
        )
    if evidence.leg_rows:
        table = Table(title=f"Both legs, HS {f['hs6']}", title_justify="left")
        table.add_column("leg")
        for year in evidence.leg_years:
            table.add_column(str(year), justify="right")
        for leg in evidence.leg_rows:
            table.add_row(leg.label, *(f"${c[0]:,.0f}" if c else "—" for c in leg.cells))
        console.print(table)
    console.print("\n[bold]Decisions[/]")
    for d in evidence.decisions.iter_rows(named=True):
        console.print(
            f"  {d['decided_at']:%Y-%m-%d %H:%M} {d['analyst']}: {d['previous_status']} -> "
            f"{d['new_status']} (score {d['score']:.0f}): {d['note']}",
            highlight=False,
            markup=False,
        )
    if evidence.decisions.height == 0:
        console.print("No decision yet.")


@review_app.command("decide")
def review_decide(
    flags: Annotated[list[str], typer.Argument(help="One or more flag ids")],
    decision: Annotated[str, typer.Option(help="confirm | dismiss | escalate")],
    note: Annotated[str, typer.Option(help="Why: what you checked and found")],
    analyst: Annotated[str, typer.Option(help="Your user name (see `transship users list`)")],
    db: DbOption = None,
) -> None:
    """Record a decision with a note on one or more flags; kept across reruns.

    Example:

        transship review decide Sa8b2f9f28f731b2 --decision confirm
            --note "Invoice names a Chinese smelter" --analyst a.lopez
    """
    from transship.review.decisions import decide
    from transship.review.users import find_user

    with _opened_store(db) as con:
        try:
            count = decide(con, flags, decision, note, find_user(con, analyst))
        except TransshipError as exc:
            raise _fail(exc) from exc
    console.print(f"recorded {decision} on {count} flag(s) for {analyst}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8765,
    db: DbOption = None,
) -> None:
    """Serve the analyst review app: sign in, work the queue, read evidence, decide, export.

    The store is opened per request, so nightly runs can still write between requests.

    Example:

        transship serve --port 8765 --db data/demo.duckdb
    """
    import uvicorn

    from transship.review.app import create_app
    from transship.review.users import list_users

    settings = _settings(db)
    with _opened_store(db) as con:
        if list_users(con).height == 0:
            errors.print(
                "[yellow]no users yet:[/] add one with "
                f"`transship users add NAME --role admin --db {settings.db}`",
                highlight=False,
            )
    console.print(f"transship review on http://{host}:{port}/ (store {settings.db})")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
