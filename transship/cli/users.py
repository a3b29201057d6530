"""`transship users ...`: analyst accounts for the review app and the decision log."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from transship.cli.common import (
    DbOption,
    MaterialsOption,
    command_group,
    console,
    opened_store,
    print_frame,
)

app = command_group("Analyst accounts for the review app and the decision log.")

PasswordStdinOption = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input")
]


@app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Lower-case user name, e.g. a.lopez")],
    role: Annotated[str, typer.Option(help="analyst | admin")] = "analyst",
    password_stdin: PasswordStdinOption = False,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Add an account; asks for the password twice (at least 12 characters).

    Example:

        transship users add a.lopez --role admin
    """
    from transship.review.users import add_user

    password = _new_password(password_stdin)
    with opened_store(db, materials) as con:
        user = add_user(con, name, password, role)
    console.print(f"added {user.role} {user.username}")


@app.command("password")
def users_password(
    name: Annotated[str, typer.Argument(help="The user whose password to set")],
    password_stdin: PasswordStdinOption = False,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Set a new password for an account (asks twice); its open sessions end.

    Example:

        transship users password a.lopez
    """
    from transship.review.users import set_password

    with opened_store(db, materials) as con:
        set_password(con, name, _new_password(password_stdin))
    console.print(f"password changed for {name}; their sessions have ended")


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@app.command("list")
def users_list(db: DbOption = None, materials: MaterialsOption = None) -> None:
    """List accounts, their roles and whether they are active.

    Example:

        transship users list
    """
    from transship.review.users import list_users

    with opened_store(db, materials, read_only=True) as con:
        print_frame(list_users(con), "Users")


@app.command("deactivate")
def users_deactivate(
    name: Annotated[str, typer.Argument(help="The user to deactivate")],
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Deactivate an account and end its sessions (accounts are never deleted: the
    decision log names them).

    Example:

        transship users deactivate a.lopez
    """
    from transship.review.users import set_active

    with opened_store(db, materials) as con:
        set_active(con, name, active=False)
    console.print(f"deactivated {name}")
