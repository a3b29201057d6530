"""The review web app: FastAPI with server-rendered Jinja2 pages, served by `transship serve`.

Each request opens the store for the few milliseconds it needs and closes it, so the
nightly run can take its write lock between clicks; a request that meets a running
pipeline says so and asks the analyst to retry. The pages are in ``routes/``, one router
per part, over the dependencies in ``routes/dependencies.py``.
"""

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from transship.errors import StoreLockedError, UnknownEntityError, UnknownFlagError
from transship.review.routes import accounts, admin, audit, entities, flags, queue, warnings
from transship.review.routes.dependencies import (
    AdminOnly,
    FormRejected,
    Pages,
    SignInRequired,
    page_templates,
)
from transship.settings import Settings

HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

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
    UnknownEntityError: (404, "No such entity", None),
}
"""Errors shown as a page: status, title, and the message (the error's own when None)."""

Handler = Callable[[Request, Any], Coroutine[Any, Any, Response]]


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        return response


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(
        title="transship review",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        exception_handlers=_error_handlers(),
    )
    app.state.settings = settings
    app.state.templates = page_templates(settings)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(SecurityHeaders)
    for part in (accounts, queue, flags, entities, warnings, audit, admin):
        app.include_router(part.router)
    return app


def _error_handlers() -> dict[int | type[Exception], Handler]:
    handlers: dict[int | type[Exception], Handler] = {SignInRequired: _to_sign_in}
    for error, (status, title, message) in ERROR_PAGES.items():
        handlers[error] = _error_page(status, title, message)
    return handlers


async def _to_sign_in(request: Request, exc: SignInRequired) -> Response:
    return RedirectResponse(f"/login?{urlencode({'next': exc.next_path})}", status_code=303)


def _error_page(status: int, title: str, message: str | None) -> Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        return Pages(request).render(
            "error.html", None, status, title=title, message=message or str(exc)
        )

    return handler
