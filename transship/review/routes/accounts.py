"""Sign-in, sign-out and the analyst's own account page."""

import secrets
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from transship.errors import AuthenticationError, UserError
from transship.review.routes.dependencies import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    AppSettings,
    Con,
    CsrfField,
    FormRejected,
    Page,
    Signed,
    SignedForm,
    back_with,
    safe_path,
)
from transship.review.sessions import end_session, start_session
from transship.review.users import LOCKOUT, SignInLocked, authenticate, change_password

router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
def login_form(
    page: Page,
    settings: AppSettings,
    next: str = "/",
    failed: str | None = None,
    changed: str | None = None,
) -> Response:
    token = secrets.token_urlsafe(24)
    response = page.render(
        "login.html",
        None,
        401 if failed else 200,
        csrf_token=token,
        next=safe_path(next),
        failed=failed,
        changed=changed,
        lockout_minutes=int(LOCKOUT.total_seconds() // 60),
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
        max_age=3600,
    )
    return response


@router.post("/login")
def login(
    request: Request,
    con: Con,
    settings: AppSettings,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: CsrfField = None,
    next: Annotated[str, Form()] = "/",
) -> Response:
    # No session yet: the form's token is checked against the one the sign-in page set.
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not expected or not csrf_token or not secrets.compare_digest(expected, csrf_token):
        raise FormRejected
    try:
        user = authenticate(con, username.strip().lower(), password)
    except AuthenticationError as exc:
        failed = "locked" if isinstance(exc, SignInLocked) else "1"
        return RedirectResponse(
            f"/login?{urlencode({'next': safe_path(next), 'failed': failed})}",
            status_code=303,
        )
    token = start_session(con, user, settings.session_hours)
    response = RedirectResponse(safe_path(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=int(settings.session_hours * 3600),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, con: Con, session: SignedForm) -> Response:
    end_session(con, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, page: Page, session: Signed) -> Response:
    return page.render("account.html", session, problem=request.query_params.get("problem"))


@router.post("/account/password")
def change_own_password(
    con: Con,
    session: SignedForm,
    current_password: Annotated[str, Form()],
    new_password: Annotated[str, Form()],
    repeat_password: Annotated[str, Form()],
) -> Response:
    if new_password != repeat_password:
        return back_with("/account", problem="the new password and its repeat differ")
    try:
        change_password(con, session.user.username, current_password, new_password)
    except SignInLocked as exc:
        return back_with("/account", problem=str(exc))
    except AuthenticationError:
        return back_with("/account", problem="the current password is wrong")
    except UserError as exc:
        return back_with("/account", problem=str(exc))
    response = RedirectResponse("/login?changed=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
