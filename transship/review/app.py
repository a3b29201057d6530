"""The review web app: FastAPI with server-rendered Jinja2 pages, served by `transship serve`.

Each request opens the store for the few milliseconds it needs and closes it, so the
nightly run can take its write lock between clicks; a request that meets a running
pipeline says so and asks the analyst to retry.
"""

import secrets
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import duckdb
from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from transship.detectors import DetectorConfig
from transship.detectors.base import money, tonnes
from transship.errors import (
    AuthenticationError,
    ReviewError,
    StoreLockedError,
    UnknownFlagError,
    UserError,
)
from transship.review.chart import Marker, corridor_chart
from transship.review.decisions import ACTIONS, REOPEN, decide, decision_log
from transship.review.evidence import TRADER_SHIPMENTS, control_markers, flag_evidence
from transship.review.filters import FORM_NAMES, blank_to_none, parse_filters
from transship.review.queue import SEVERITIES, QueueFilters, filter_choices, queue, queue_export
from transship.review.sessions import (
    Session,
    csrf_matches,
    current_session,
    end_session,
    start_session,
)
from transship.review.users import (
    LOCKOUT,
    ROLES,
    SignInLocked,
    add_user,
    authenticate,
    change_password,
    list_users,
    set_active,
)
from transship.run.flags import STATUSES
from transship.settings import Settings
from transship.storage.store import store

SESSION_COOKIE = "transship_session"
LOGIN_CSRF_COOKIE = "transship_signin"
HERE = Path(__file__).parent
AUDIT_PAGE = 200
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class SignInRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class FormRejected(Exception):
    """A form post without this session's CSRF token."""


class AdminOnly(Exception):
    pass


ERROR_PAGES: dict[type[Exception], tuple[int, str, str | None]] = {
    FormRejected: (
        403,
        "Form rejected",
        "This form did not carry a valid security token, so nothing was recorded. "
        "Reload the page and submit it again.",
    ),
    AdminOnly: (403, "Admins only", "Only an admin can do this. Ask an admin of this store."),
    StoreLockedError: (
        503,
        "The store is busy",
        "A transship run is writing to the store right now. Nothing was lost; "
        "try again in a minute.",
    ),
    UnknownFlagError: (404, "No such flag", None),
}
"""Errors shown as a page: status, title, and the message (the error's own when None)."""


def _safe_path(candidate: str | None, default: str = "/") -> str:
    """Only same-site paths: '//evil.example' and full URLs would redirect off the app."""
    if candidate and candidate.startswith("/") and not candidate.startswith("//"):
        return candidate
    return default


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="transship review", docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters.update(money=money, tonnes=tonnes)
    templates.env.globals.update(
        statuses=STATUSES,
        severities=SEVERITIES,
        actions=ACTIONS,
        reopen_action=REOPEN,
        reopen_margin=DetectorConfig.load(settings.rules).reopen_margin,
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    class SecurityHeaders(BaseHTTPMiddleware):
        async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
            response = await call_next(request)
            for header, value in SECURITY_HEADERS.items():
                response.headers.setdefault(header, value)
            return response

    app.add_middleware(SecurityHeaders)

    def connection() -> Iterator[duckdb.DuckDBPyConnection]:
        with store(settings.db, memory_limit=settings.memory_limit) as con:
            yield con

    Con = Annotated[duckdb.DuckDBPyConnection, Depends(connection)]

    def signed_in(request: Request, con: Con) -> Session:
        session = current_session(con, request.cookies.get(SESSION_COOKIE))
        if session is None:
            raise SignInRequired(_path_and_query(request) if request.method == "GET" else "/")
        return session

    Signed = Annotated[Session, Depends(signed_in)]

    def signed_in_admin(session: Signed) -> Session:
        if not session.user.is_admin:
            raise AdminOnly
        return session

    SignedAdmin = Annotated[Session, Depends(signed_in_admin)]
    CsrfField = Annotated[str | None, Form()]

    def checked(session: Session, csrf_token: str | None) -> None:
        if not csrf_matches(session, csrf_token):
            raise FormRejected

    def page(
        request: Request,
        name: str,
        session: Session | None,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        return templates.TemplateResponse(
            request,
            name,
            {"session": session, "user": session.user if session else None, **context},
            status_code=status_code,
        )

    @app.exception_handler(SignInRequired)
    async def to_sign_in(request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(f"/login?{urlencode({'next': exc.next_path})}", status_code=303)

    def error_page(status: int, title: str, message: str | None) -> Any:
        async def handler(request: Request, exc: Exception) -> Response:
            return page(
                request, "error.html", None, status, title=title, message=message or str(exc)
            )

        return handler

    for error, (status, title, message) in ERROR_PAGES.items():
        app.add_exception_handler(error, error_page(status, title, message))

    @app.get("/login", response_class=HTMLResponse)
    def login_form(
        request: Request, next: str = "/", failed: str | None = None, changed: str | None = None
    ) -> Response:
        token = secrets.token_urlsafe(24)
        response = page(
            request,
            "login.html",
            None,
            401 if failed else 200,
            csrf_token=token,
            next=_safe_path(next),
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

    @app.post("/login")
    def login(
        request: Request,
        con: Con,
        username: Annotated[str, Form()],
        password: Annotated[str, Form()],
        csrf_token: CsrfField = None,
        next: Annotated[str, Form()] = "/",
    ) -> Response:
        expected = request.cookies.get(LOGIN_CSRF_COOKIE)
        if not expected or not csrf_token or not secrets.compare_digest(expected, csrf_token):
            raise FormRejected
        try:
            user = authenticate(con, username.strip().lower(), password)
        except AuthenticationError as exc:
            failed = "locked" if isinstance(exc, SignInLocked) else "1"
            return RedirectResponse(
                f"/login?{urlencode({'next': _safe_path(next), 'failed': failed})}",
                status_code=303,
            )
        token = start_session(con, user, settings.session_hours)
        response = RedirectResponse(_safe_path(next), status_code=303)
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

    @app.post("/logout")
    def logout(
        request: Request, con: Con, session: Signed, csrf_token: CsrfField = None
    ) -> Response:
        checked(session, csrf_token)
        end_session(con, request.cookies.get(SESSION_COOKIE, ""))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    def queue_filters(request: Request) -> QueueFilters:
        return parse_filters(request.query_params, FORM_NAMES)

    @app.get("/", response_class=HTMLResponse)
    def review_queue(request: Request, con: Con, session: Signed) -> Response:
        notices = ("page", "decided", "action", "problem")
        query = {k: v for k, v in request.query_params.items() if k not in notices}
        problem = request.query_params.get("problem")
        try:
            filters = queue_filters(request)
            result = queue(con, filters, _page_number(request.query_params.get("page")))
        except ReviewError as exc:
            # Show the plain open queue under the message, with links free of the bad filter.
            filters, result, problem = QueueFilters(), queue(con, QueueFilters()), str(exc)
            query = {}
        return page(
            request,
            "queue.html",
            session,
            result=result,
            filters=filters,
            query=query,
            problem=problem,
            choices=filter_choices(con),
            page_link=lambda n: "/?" + urlencode({**query, "page": n}),
            export_link="/export/queue.csv?" + urlencode(query),
            return_to=_path_and_query(request),
            decided=request.query_params.get("decided"),
            decided_action=request.query_params.get("action"),
        )

    @app.post("/decisions")
    def bulk_decision(
        con: Con,
        session: Signed,
        action: Annotated[str, Form()],
        note: Annotated[str, Form()] = "",
        flag_id: Annotated[list[str] | None, Form()] = None,
        csrf_token: CsrfField = None,
        return_to: Annotated[str, Form()] = "/",
    ) -> Response:
        checked(session, csrf_token)
        back = _safe_path(return_to)
        try:
            count = decide(con, flag_id or [], action, note, session.user)
        except ReviewError as exc:
            return _back_with(back, problem=str(exc))
        return _back_with(back, decided=count, action=action)

    @app.get("/flags/{flag_id}", response_class=HTMLResponse)
    def flag_page(request: Request, con: Con, session: Signed, flag_id: str) -> Response:
        return page(
            request,
            "flag.html",
            session,
            **_evidence_context(con, flag_id),
            problem=request.query_params.get("problem"),
        )

    @app.get("/flags/{flag_id}/evidence", response_class=HTMLResponse)
    def evidence_page(request: Request, con: Con, session: Signed, flag_id: str) -> Response:
        return page(
            request,
            "evidence.html",
            session,
            **_evidence_context(con, flag_id),
            now=datetime.now().strftime("%Y-%m-%d %H:%M"),
        )

    @app.post("/flags/{flag_id}/decision")
    def flag_decision(
        con: Con,
        session: Signed,
        flag_id: str,
        action: Annotated[str, Form()],
        note: Annotated[str, Form()] = "",
        csrf_token: CsrfField = None,
    ) -> Response:
        checked(session, csrf_token)
        try:
            decide(con, [flag_id], action, note, session.user)
        except UnknownFlagError:
            raise  # the 404 page, not a message on a flag page that does not exist
        except ReviewError as exc:
            return _back_with(f"/flags/{flag_id}", problem=str(exc))
        return RedirectResponse(f"/flags/{flag_id}#decisions", status_code=303)

    @app.get("/audit", response_class=HTMLResponse)
    def audit(request: Request, con: Con, session: Signed) -> Response:
        analyst = blank_to_none(request.query_params.get("analyst"))
        flag = blank_to_none(request.query_params.get("flag"))
        log = decision_log(con, flag_id=flag, analyst=analyst, limit=AUDIT_PAGE)
        return page(
            request,
            "audit.html",
            session,
            log=log.to_dicts(),
            analyst=analyst,
            flag=flag,
            limit=AUDIT_PAGE,
        )

    @app.get("/export/queue.csv")
    def export_queue(request: Request, con: Con, session: Signed) -> Response:
        frame = queue_export(con, queue_filters(request))
        return _csv(frame.write_csv(), "transship-queue.csv")

    @app.get("/export/decisions.csv")
    def export_decisions(con: Con, session: Signed) -> Response:
        return _csv(decision_log(con).write_csv(), "transship-decisions.csv")

    @app.get("/account", response_class=HTMLResponse)
    def account_page(request: Request, session: Signed) -> Response:
        return page(request, "account.html", session, problem=request.query_params.get("problem"))

    @app.post("/account/password")
    def change_own_password(
        con: Con,
        session: Signed,
        current_password: Annotated[str, Form()],
        new_password: Annotated[str, Form()],
        repeat_password: Annotated[str, Form()],
        csrf_token: CsrfField = None,
    ) -> Response:
        checked(session, csrf_token)
        if new_password != repeat_password:
            return _back_with("/account", problem="the new password and its repeat differ")
        try:
            change_password(con, session.user.username, current_password, new_password)
        except SignInLocked as exc:
            return _back_with("/account", problem=str(exc))
        except AuthenticationError:
            return _back_with("/account", problem="the current password is wrong")
        except UserError as exc:
            return _back_with("/account", problem=str(exc))
        response = RedirectResponse("/login?changed=1", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/admin/users", response_class=HTMLResponse)
    def users_page(request: Request, con: Con, session: SignedAdmin) -> Response:
        return page(
            request,
            "users.html",
            session,
            users=list_users(con).to_dicts(),
            roles=ROLES,
            problem=request.query_params.get("problem"),
        )

    @app.post("/admin/users")
    def create_user(
        con: Con,
        session: SignedAdmin,
        username: Annotated[str, Form()],
        password: Annotated[str, Form()],
        role: Annotated[str, Form()] = "analyst",
        csrf_token: CsrfField = None,
    ) -> Response:
        checked(session, csrf_token)
        try:
            add_user(con, username.strip().lower(), password, role)
        except UserError as exc:
            return _back_with("/admin/users", problem=str(exc))
        return RedirectResponse("/admin/users", status_code=303)

    @app.post("/admin/users/{username}/active")
    def toggle_user(
        con: Con,
        session: SignedAdmin,
        username: str,
        active: Annotated[bool, Form()],
        csrf_token: CsrfField = None,
    ) -> Response:
        checked(session, csrf_token)
        if username == session.user.username:
            return _back_with("/admin/users", problem="you cannot deactivate yourself")
        try:
            set_active(con, username, active)
        except UserError as exc:
            return _back_with("/admin/users", problem=str(exc))
        return RedirectResponse("/admin/users", status_code=303)

    return app


def _path_and_query(request: Request) -> str:
    """Where the request went, as a same-site path to come back to."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _page_number(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError as exc:
        raise ReviewError(f"page {value!r} is not a number") from exc


def _back_with(path: str, **params: object) -> RedirectResponse:
    separator = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{separator}{urlencode(params)}", status_code=303)


def _csv(text: str, filename: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _evidence_context(con: duckdb.DuckDBPyConnection, flag_id: str) -> dict[str, Any]:
    evidence = flag_evidence(con, flag_id)
    flag = evidence.flag
    markers = [Marker(day, label) for day, label in control_markers(evidence.controls)]
    chart = corridor_chart(
        evidence.corridor,
        markers,
        flag["flag_date"],
        f"US imports of {flag['hs6'][:4]}.{flag['hs6'][4:]} from {evidence.origin}, kg per month",
    )
    return {
        "evidence": evidence,
        "flag": flag,
        "chart": chart,
        "decision_log": evidence.decisions.to_dicts(),
        "trader_shipments": TRADER_SHIPMENTS,
    }
