"""`transship review ...`: work the flag queue from the terminal, with the same filters and
the same evidence as the review app, rendered as text."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import polars as pl
import typer
from rich.table import Table

from transship.cli.common import (
    DbOption,
    MaterialsOption,
    command_group,
    console,
    errors,
    opened_store,
    reported,
)

if TYPE_CHECKING:
    from transship.review.evidence import Evidence
    from transship.review.queue import GroupedPage, QueuePage

app = command_group("Work the flag queue from the terminal: list, show the evidence, decide.")


@app.command("list")
def review_list(
    status: Annotated[
        str, typer.Option(help="open | confirmed | dismissed | escalated | any")
    ] = "open",
    severity: Annotated[str | None, typer.Option(help="high | medium | low")] = None,
    import_country: Annotated[
        str | None, typer.Option(help="Importing country, alpha-2 (e.g. KR)")
    ] = None,
    material: Annotated[str | None, typer.Option(help="e.g. antimony")] = None,
    origin: Annotated[str | None, typer.Option(help="Declared origin, alpha-2")] = None,
    hs_code: Annotated[str | None, typer.Option(help="HS code or its prefix, e.g. 8112")] = None,
    since: Annotated[str | None, typer.Option(help="Flags dated on or after, YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="Flags dated on or before, YYYY-MM-DD")] = None,
    detector: Annotated[str | None, typer.Option(help="Only flags this detector raised")] = None,
    level: Annotated[str | None, typer.Option(help="shipment | corridor")] = None,
    group_by: Annotated[
        str | None,
        typer.Option(
            help="exporter | importer: list cases instead of flags, one per firm of that "
            "role and corridor, with the flag ids to decide together"
        ),
    ] = None,
    page: Annotated[int, typer.Option(help="Page of 50 (flags, or cases with --group-by)")] = 1,
    out: Annotated[
        Path | None,
        typer.Option(help="Write the whole filtered queue (or every case) as CSV"),
    ] = None,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """The review queue: flags ranked by score under filters, 50 a page, with counts.
    With --group-by, the same queue as cases: a firm's shipment flags on one corridor
    together (its spellings resolved to one entity), to decide at once with
    `transship review decide` and the case's flag ids.

    Example:

        transship review list --material antimony --severity high --origin TH --import-country US

        transship review list --group-by exporter --import-country US
    """
    from transship.review.filters import OPTION_NAMES, parse_filters
    from transship.review.queue import grouped_queue, queue, queue_export

    given = {
        "status": status,
        "import_country": import_country,
        "severity": severity,
        "material": material,
        "origin": origin,
        "hs_code": hs_code,
        "since": since,
        "until": until,
        "detector": detector,
        "level": level,
    }
    with reported():
        filters = parse_filters(given, OPTION_NAMES)
    with opened_store(db, materials, read_only=True) as con:
        if group_by is not None:
            with reported():
                grouped = grouped_queue(con, filters, group_by, 1 if out else page)
                if out is not None:
                    every = grouped_queue(con, filters, group_by, 1, max(1, grouped.cases))
            if out is not None:
                _case_rows(every.groups).write_csv(out)
                console.print(f"{every.cases} cases of {every.flags} flags written to {out}")
                return
            _print_cases(grouped, group_by)
            return
        if out is not None:
            frame = queue_export(con, filters)
            frame.write_csv(out)
            console.print(f"{frame.height} flags written to {out}")
            return
        result = queue(con, filters, page)
    _print_queue(result)


def _print_queue(result: QueuePage) -> None:
    from rich.markup import escape

    from transship.review.evidence import reason_sentences

    counts = ", ".join(f"{n} {s}" for s, n in result.by_status.items())
    console.print(
        f"{result.matching} flags match (page {result.page} of {result.pages}); "
        f"by status under these filters: {counts}",
        highlight=False,
    )
    table = Table(show_lines=True)
    for column in ("flag", "score", "status", "date", "into", "origin", "hs code", "first reason"):
        table.add_column(column, overflow="fold")
    for row in result.rows.iter_rows(named=True):
        table.add_row(
            row["flag_id"],
            f"{row['score']:.0f} {row['severity']}",
            row["status"],
            str(row["flag_date"]),
            row["import_country"],
            row["origin_country"],
            row["hs_code"],
            escape(reason_sentences(row["reasons"])[0]),
        )
    console.print(table)


def _case_rows(groups: pl.DataFrame) -> pl.DataFrame:
    """Cases as flat columns: a spreadsheet reads the lists as text."""
    return groups.with_columns(
        pl.col("spellings").list.join("; "), pl.col("flag_ids").list.join(" ")
    )


CASE_IDS_SHOWN = 5


def _some(flag_ids: list[str]) -> str:
    """A case's first flag ids: a case can hold hundreds, which --out writes in full."""
    shown = " ".join(flag_ids[:CASE_IDS_SHOWN])
    more = len(flag_ids) - CASE_IDS_SHOWN
    return f"{shown} and {more} more (--out lists all)" if more > 0 else shown


def _print_cases(result: GroupedPage, role: str) -> None:
    from rich.markup import escape

    cases = "1 case" if result.cases == 1 else f"{result.cases} cases"
    console.print(
        f"{cases} by {role} holding {result.flags} shipment flags "
        f"(page {result.page} of {result.pages}); corridor flags, which have no trader, "
        f"are listed without --group-by ({result.corridor_flags} here)",
        highlight=False,
    )
    table = Table(show_lines=True)
    for column in (role, "corridor", "flags", "top score", "dates", "spellings", "flag ids"):
        table.add_column(column, overflow="fold")
    for row in result.groups.iter_rows(named=True):
        dates = f"{row['first_date']}" + (
            f" to {row['last_date']}" if row["last_date"] != row["first_date"] else ""
        )
        table.add_row(
            escape(row["trader"]),
            f"{row['origin_country']} -> {row['import_country']} {row['material'] or ''}".strip(),
            str(row["flags"]),
            f"{row['top_score']:.0f} {row['severity']}",
            dates,
            escape("; ".join(row["spellings"])),
            _some(row["flag_ids"]),
        )
    console.print(table)


@app.command("show")
def review_show(
    flag: Annotated[str, typer.Argument(help="Flag id, as listed by `transship review list`")],
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Everything behind one flag: shipment, reasons, each detector's part, both legs,
    the traders' history and every decision taken on it.

    Example:

        transship review show Sa8b2f9f28f731b2
    """
    from transship.review.evidence import flag_evidence

    with opened_store(db, materials, read_only=True) as con:
        evidence = flag_evidence(con, flag)
    _print_evidence(evidence)


def _print_evidence(evidence: Evidence) -> None:
    f = evidence.flag
    what = f"shipment {f['shipment_id']}" if f["level"] == "shipment" else f"corridor {f['period']}"
    console.print(
        f"[bold]{f['flag_id']}[/] {what}: score {f['score']:.0f} ({f['severity']}), "
        f"status {f['status']}; {evidence.origin} -> {f['import_country_name']} "
        f"({f['import_country']}), HS {f['hs_code']}, {f['flag_date']}",
        highlight=False,
    )
    if f["level"] == "shipment":
        console.print(
            f"{f['exporter']} -> {f['importer']}: {f['weight_kg']:,.1f} kg, "
            f"${f['value_usd']:,.0f}, {f['transport_mode'] or 'mode not declared'}; "
            f"{f['description'] or 'no description'}",
            highlight=False,
        )
    if f.get("chosen_for_learning"):
        from transship.learning.explore import WHY_CHOSEN

        console.print(
            f"Chosen for learning: {WHY_CHOSEN[f['chosen_for_learning']]}", highlight=False
        )
    console.print("\n[bold]Why[/]")
    for sentence in evidence.reasons:
        console.print(f"• {sentence}", highlight=False, markup=False)
    if f.get("learned_weight"):
        console.print(
            f"\n[bold]Learned part[/] {f['base_score']:.0f} -> {f['score']:.0f} "
            f"({f['score'] - f['base_score']:+.0f} points); learned model {f['learned_model']}: "
            f"{f['learned_note']}",
            highlight=False,
        )
    console.print("\n[bold]Detectors[/]")
    for part in evidence.contributions:
        score = "—" if part.score is None else f"{part.score:.2f}"
        console.print(
            f"  {part.detector:<18} own score {score:>4}  contribution {part.contribution:.3f}"
        )
    if evidence.controls:
        from transship.importers import CONTROLLING_EXPORTER_NAME

        console.print(
            f"\n[bold]{CONTROLLING_EXPORTER_NAME}'s measures that apply to "
            f"{f['import_country_name']}[/]",
            highlight=False,
        )
        for event in evidence.controls:
            until = f" to {event.end_date}" if event.end_date else ""
            console.print(
                f"  {event.effective_date}{until} {event.material} {event.measure}: "
                f"{event.description}",
                highlight=False,
                markup=False,
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


@app.command("decide")
def review_decide(
    flags: Annotated[list[str], typer.Argument(help="One or more flag ids")],
    decision: Annotated[str, typer.Option(help="confirm | dismiss | escalate")],
    note: Annotated[str, typer.Option(help="Why: what you checked and found")],
    analyst: Annotated[str, typer.Option(help="Your user name (see `transship users list`)")],
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Record a decision with a note on one or more flags; kept across reruns.

    Example:

        transship review decide Sa8b2f9f28f731b2 --decision confirm
            --note "Invoice names a Chinese smelter" --analyst a.lopez
    """
    from transship.review.decisions import decide
    from transship.review.users import find_user

    with opened_store(db, materials) as con:
        count = decide(con, flags, decision, note, find_user(con, analyst))
    console.print(f"recorded {decision} on {count} flag(s) for {analyst}")


@app.command("import")
def review_import(
    file: Annotated[Path, typer.Argument(help="CSV of past inspection outcomes")],
    analyst: Annotated[str, typer.Option(help="Who imports them (see `transship users list`)")],
    id_column: Annotated[str, typer.Option(help="The column holding shipment ids")] = (
        "shipment_id"
    ),
    label_column: Annotated[
        str, typer.Option(help="The column holding the outcome: 1 fraud found, 0 clean")
    ] = "positive",
    decided_at_column: Annotated[
        str | None,
        typer.Option(help="A column with the date each outcome was known, YYYY-MM-DD"),
    ] = None,
    lag_days: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Without --decided-at-column, an outcome counts from arrival plus this "
            r"many days \[default: 30]",
        ),
    ] = None,
    note: Annotated[str | None, typer.Option(help="Note for the decision log")] = None,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Load past inspection outcomes as decisions the learner learns from, whether or not
    transship flagged those shipments. They change no flag; the decision log lists them as
    imported. Ids quarantined at ingest are reported and skipped; any other id the store
    does not hold refuses the file (exit 2), as do repeated ids, missing columns and
    outcomes other than 0 and 1. Importing the same file again changes nothing.

    Example:

        transship review import train.csv --id-column "Declaration ID"
            --label-column Fraud --analyst a.lopez
    """
    from transship.learning.labels import LabelColumns, listed
    from transship.learning.outcomes import DEFAULT_LAG_DAYS, import_outcomes
    from transship.review.users import find_user

    columns = LabelColumns(id_column, label_column, decided_at_column)
    with opened_store(db, materials) as con:
        result = import_outcomes(
            con,
            file,
            find_user(con, analyst),
            columns,
            DEFAULT_LAG_DAYS if lag_days is None else lag_days,
            note,
        )
    if result.quarantined:
        errors.print(
            f"[yellow]skipped:[/] {len(result.quarantined):,} ids were quarantined at ingest "
            f"and have no shipment: {listed(result.quarantined)} (see `transship quarantine`)",
            highlight=False,
            soft_wrap=True,
        )
    counted = (
        f"counting from {decided_at_column}"
        if decided_at_column
        else f"counting from arrival + {DEFAULT_LAG_DAYS if lag_days is None else lag_days} days"
    )
    if result.imported == 0:
        console.print(
            f"nothing new: all {result.rows - len(result.quarantined):,} outcomes of {file} "
            "were imported before",
            highlight=False,
            soft_wrap=True,
        )
        return
    console.print(
        f"imported {result.imported:,} inspection outcomes from {file} for {analyst} "
        f"({result.positives:,} fraud found, {result.imported - result.positives:,} clean; "
        f"{counted})" + (f"; {result.already:,} were already imported" if result.already else ""),
        highlight=False,
        soft_wrap=True,
    )
