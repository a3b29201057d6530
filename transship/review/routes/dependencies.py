"""What every page of the review app shares, as FastAPI dependencies: the store opened for
one request and closed, the signed-in analyst, the admin-only rule, the CSRF check on form
posts, and the page templates; and the few response helpers the routers have in common."""

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import duckdb
from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from transship.detectors import DetectorConfig
from transship.detectors.base import money, tonnes
from transship.learning.explore import WHY_CHOSEN
from transship.review.decisions import ACTIONS, REOPEN
from transship.review.queue import SEVERITIES
from transship.review.sessions import Session, csrf_matches, current_session
from transship.run.flags import STATUSES
from transship.settings import Settings
from transship.storage.store import store

SESSION_COOKIE = "transship_session"
LOGIN_CSRF_COOKIE = "transship_signin"
TEMPLATES = Path(__file__).parent.parent / "templates"


class SignInRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class FormRejected(Exception):
    """A form post without this session's CSRF token."""


class AdminOnly(Exception):
    pass


def page_templates(settings: Settings) -> Jinja2Templates:
    """The app's templates, with the filters and names every page may use."""
    templates = Jinja2Templates(directory=TEMPLATES)
    templates.env.filters.update(money=money, tonnes=tonnes)
    templates.env.globals.update(
        statuses=STATUSES,
        severities=SEVERITIES,
        actions=ACTIONS,
        reopen_action=REOPEN,
        reopen_margin=DetectorConfig.load(settings.rules).reopen_margin,
        learning_why=WHY_CHOSEN,
    )
    return templates


def app_settings(request: Request) -> Settings:
    """The settings create_app was given: kept on the app, not the module, as one process
    may run several apps (the tests do)."""
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(app_settings)]


def connection(settings: AppSettings) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store for this request only, so a nightly run can take its lock between clicks."""
    with store(
        settings.db, memory_limit=settings.memory_limit, materials=settings.materials
    ) as con:
        yield con


Con = Annotated[duckdb.DuckDBPyConnection, Depends(connection)]


def signed_in(request: Request, con: Con) -> Session:
    session = current_session(con, request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise SignInRequired(path_and_query(request) if request.method == "GET" else "/")
    return session


Signed = Annotated[Session, Depends(signed_in)]


def signed_in_admin(session: Signed) -> Session:
    if not session.user.is_admin:
        raise AdminOnly
    return session


SignedAdmin = Annotated[Session, Depends(signed_in_admin)]
CsrfField = Annotated[str | None, Form()]


def _checked(session: Session, csrf_token: str | None) -> Session:
    if not csrf_matches(session, csrf_token):
        raise FormRejected
    return session


def signed_form(session: Signed, csrf_token: CsrfField = None) -> Session:
    """The session behind a form post that carried this session's CSRF token."""
    return _checked(session, csrf_token)


def signed_admin_form(session: SignedAdmin, csrf_token: CsrfField = None) -> Session:
    """As signed_form, for an admin's session; the admin rule is checked first."""
    return _checked(session, csrf_token)


SignedForm = Annotated[Session, Depends(signed_form)]
SignedAdminForm = Annotated[Session, Depends(signed_admin_form)]


class Pages:
    """Renders a page with the signed-in analyst (if any) in its context."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.templates: Jinja2Templates = request.app.state.templates

    def render(
        self, name: str, session: Session | None, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        return self.templates.TemplateResponse(
            self.request,
            name,
            {"session": session, "user": session.user if session else None, **context},
            status_code=status_code,
        )


def pages(request: Request) -> Pages:
    return Pages(request)


Page = Annotated[Pages, Depends(pages)]


def path_and_query(request: Request) -> str:
    """Where the request went, as a same-site path to come back to."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def safe_path(candidate: str | None, default: str = "/") -> str:
    """Only same-site paths: '//evil.example' and full URLs would redirect off the app."""
    if candidate and candidate.startswith("/") and not candidate.startswith("//"):
        return candidate
    return default


def back_with(path: str, **params: object) -> RedirectResponse:
    separator = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{separator}{urlencode(params)}", status_code=303)


def csv_download(text: str, filename: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
