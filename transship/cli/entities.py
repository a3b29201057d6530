"""`transship entities ...`: who is who among exporters and importers: resolve the
spellings into entities, list and show them, merge and split them with a note."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from transship.cli.common import (
    EXIT_BAD_OPTION,
    DbOption,
    MaterialsOption,
    command_group,
    console,
    errors,
    opened_store,
    parse_date,
    print_frame,
)

if TYPE_CHECKING:
    from transship.entities.listing import EntityDetails

app = command_group("Who is who: trader spellings resolved into entities, with corrections.")

RoleOption = Annotated[
    str | None,
    typer.Option(help="exporter | importer (needed only for a spelling both roles use)"),
]
NoteOption = Annotated[str, typer.Option(help="Why: what you checked and found")]
AnalystOption = Annotated[str, typer.Option(help="Your user name (see `transship users list`)")]


@app.command("resolve")
def resolve(
    new_only: Annotated[
        bool,
        typer.Option(
            "--new-only",
            help="Only link spellings not seen before to the existing entities, with the "
            "stored model (what the nightly run does)",
        ),
    ] = False,
    threshold: Annotated[
        float | None,
        typer.Option(
            help="Match probability at or above which two spellings are linked "
            r"\[default: 0.95]; a full resolution only"
        ),
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Only shipments that arrived on or before, YYYY-MM-DD")
    ] = None,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Resolve every trader spelling into entities, keeping the analysts' corrections.

    A full resolution trains the model again (stored with its threshold under a new
    version), links, and applies the corrections over the links; --new-only links the
    spellings not seen before with the stored model.

    Example:

        transship entities resolve --db data/demo.duckdb
    """
    from transship.entities.model import DEFAULT_THRESHOLD
    from transship.entities.resolve import resolve as resolve_all
    from transship.entities.resolve import resolve_new

    last = parse_date(until, "--until")
    if new_only and threshold is not None:
        errors.print(
            "[bold red]error:[/] --threshold applies to a full resolution; --new-only uses "
            "the stored model's"
        )
        raise typer.Exit(EXIT_BAD_OPTION)
    with opened_store(db, materials) as con:
        if new_only:
            result = resolve_new(con, until=last)
        else:
            result = resolve_all(con, threshold or DEFAULT_THRESHOLD, until=last)
    what = "new spellings linked" if result.mode == "new" else "spellings resolved"
    console.print(
        f"{result.new_spellings:,} {what} of {result.spellings:,} (model version "
        f"{result.model_version}, {result.links:,} links): {result.entities:,} entities, "
        f"{result.unresolved:,} kept unresolved, in {result.seconds:.1f} s",
        highlight=False,
    )
    for role in result.no_variants:
        console.print(
            f"no two {role} spellings share a name once folded: no model was trained for "
            f"{role}s and each of their spellings is an entity of its own",
            highlight=False,
        )


@app.command("list")
def list_entities(
    role: RoleOption = None,
    unresolved: Annotated[
        bool,
        typer.Option(
            "--unresolved",
            help="Only spellings kept as their own entity because their name cannot be "
            "matched (empty, one character, only a legal form, another script)",
        ),
    ] = False,
    output_format: Annotated[str, typer.Option("--format", help="table | csv | json")] = "table",
    out: Annotated[Path | None, typer.Option(help="Write to this file")] = None,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """One row per spelling, with its entity.

    Columns: role (exporter or importer), alias (exactly as in the shipments), entity_id,
    entity_name, shipments; with --unresolved also the reason.

    Example:

        transship entities list --format csv --out spellings.csv
    """
    from transship.entities.listing import spellings

    if output_format not in ("table", "csv", "json"):
        errors.print(
            f"[bold red]error:[/] unknown format {output_format!r}; use table, csv or json"
        )
        raise typer.Exit(EXIT_BAD_OPTION)
    if role not in (None, "exporter", "importer"):
        errors.print(f"[bold red]error:[/] unknown role {role!r}; use exporter or importer")
        raise typer.Exit(EXIT_BAD_OPTION)
    with opened_store(db, materials, read_only=True) as con:
        frame = spellings(con, role, unresolved)
    if output_format == "table" and out is None:
        print_frame(frame, f"{frame.height:,} spellings")
        return
    text = frame.write_json() if output_format == "json" else frame.write_csv()
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"{frame.height:,} spellings written to {out}")


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="An entity id, or a spelling exactly as written")],
    role: RoleOption = None,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """One entity: its spellings, the links between them, its history and corrections.

    Example:

        transship entities show "GOLDEN METALS CO LTD"
    """
    from transship.entities.listing import details

    with opened_store(db, materials, read_only=True) as con:
        found = details(con, name, role)
    _print_details(found)


def _print_details(found: EntityDetails) -> None:
    e = found.entity
    state = " (kept unresolved: its name cannot be matched)" if e["unresolved"] else ""
    console.print(
        f"[bold]{e['entity_id']}[/] {e['role']} {e['entity_name']!r}{state}: "
        f"{e['aliases']} spellings, {e['shipments']:,} shipments, "
        f"{e['first_seen']} to {e['last_seen']}",
        highlight=False,
    )
    print_frame(
        found.spellings.select(
            "alias", "shipments", "first_seen", "last_seen", "name_status", "assigned_by"
        ),
        "Spellings",
    )
    if found.links.height:
        print_frame(
            found.links.with_columns(found.links["match_probability"].round(4)).select(
                "alias_l", "alias_r", "match_probability", "model_version"
            ),
            "The model's links",
        )
    if found.earlier.height:
        print_frame(found.earlier, "Earlier entities a later spelling joined to this one")
    if found.corrections.height:
        print_frame(
            found.corrections.select("correction_id", "action", "analyst", "corrected_at", "note"),
            "Corrections",
        )


@app.command("merge")
def merge(
    first: Annotated[str, typer.Argument(help="An entity id or a spelling")],
    second: Annotated[str, typer.Argument(help="Another entity id or spelling")],
    note: NoteOption,
    analyst: AnalystOption,
    role: RoleOption = None,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Record that two entities are one firm, with a note.

    Kept across re-resolutions and applied over the model's links.

    Example:

        transship entities merge EX3f2a9c1b0d "GOLDEN METAL CO LTD (THAILAND)"
            --note "Same registration number on both invoices" --analyst a.lopez
    """
    from transship.entities.corrections import merge as merge_entities
    from transship.review.users import find_user

    with opened_store(db, materials) as con:
        done = merge_entities(con, first, second, note, find_user(con, analyst), role)
    console.print(
        f"correction {done.correction_id}: merged into {done.entity_id} "
        f"({done.spellings} spellings) for {analyst}",
        highlight=False,
    )


@app.command("split")
def split(
    alias: Annotated[str, typer.Argument(help="A spelling exactly as `entities list` shows it")],
    note: NoteOption,
    analyst: AnalystOption,
    role: RoleOption = None,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Record that a spelling is a firm of its own, with a note.

    The spelling leaves its entity with its whole history, and the model never joins it
    back.

    Example:

        transship entities split "GOLDEN METALS SA DE CV"
            --note "Mexican firm, unrelated to the Thai one" --analyst a.lopez
    """
    from transship.entities.corrections import split as split_entity
    from transship.review.users import find_user

    with opened_store(db, materials) as con:
        done = split_entity(con, alias, note, find_user(con, analyst), role)
    console.print(
        f"correction {done.correction_id}: {alias!r} is now {done.entity_id} for {analyst}",
        highlight=False,
    )
