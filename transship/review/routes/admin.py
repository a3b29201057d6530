"""User admin, for admins only: add accounts, deactivate and reactivate them."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from transship.errors import UserError
from transship.review.routes.dependencies import (
    Con,
    Page,
    SignedAdmin,
    SignedAdminForm,
    back_with,
)
from transship.review.users import ROLES, add_user, list_users, set_active

router = APIRouter()


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, con: Con, page: Page, session: SignedAdmin) -> Response:
    return page.render(
        "users.html",
        session,
        users=list_users(con).to_dicts(),
        roles=ROLES,
        problem=request.query_params.get("problem"),
    )


@router.post("/admin/users")
def create_user(
    con: Con,
    session: SignedAdminForm,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()] = "analyst",
) -> Response:
    try:
        add_user(con, username.strip().lower(), password, role)
    except UserError as exc:
        return back_with("/admin/users", problem=str(exc))
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/active")
def toggle_user(
    con: Con,
    session: SignedAdminForm,
    username: str,
    active: Annotated[bool, Form()],
) -> Response:
    if username == session.user.username:
        return back_with("/admin/users", problem="you cannot deactivate yourself")
    try:
        set_active(con, username, active)
    except UserError as exc:
        return back_with("/admin/users", problem=str(exc))
    return RedirectResponse("/admin/users", status_code=303)
