"""The queue: flags ranked by score under the analyst's filters, bulk decisions, CSV export."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from transship.errors import ReviewError
from transship.review.decisions import decide
from transship.review.filters import FORM_NAMES, parse_filters
from transship.review.queue import (
    GROUPINGS,
    QueueFilters,
    filter_choices,
    grouped_queue,
    queue,
    queue_export,
)
from transship.review.routes.dependencies import (
    Con,
    Page,
    Signed,
    SignedForm,
    back_with,
    csv_download,
    path_and_query,
    safe_path,
)

router = APIRouter()

NOTICES = ("page", "decided", "action", "problem")
"""Query parameters that report on the last action rather than filter the queue."""


@router.get("/", response_class=HTMLResponse)
def review_queue(request: Request, con: Con, page: Page, session: Signed) -> Response:
    params = request.query_params
    query = {k: v for k, v in params.items() if k not in NOTICES}
    problem = params.get("problem")
    group = params.get("group") or None
    grouped = None
    try:
        filters = parse_filters(params, FORM_NAMES)
        number = _page_number(params.get("page"))
        if group is not None:
            grouped = grouped_queue(con, filters, group, number)
        result = queue(con, filters, 1 if grouped else number)
    except ReviewError as exc:
        # Show the plain open queue under the message, with links free of the bad filter.
        filters, result, problem = QueueFilters(), queue(con, QueueFilters()), str(exc)
        query, group, grouped = {}, None, None
    return page.render(
        "queue.html",
        session,
        result=result,
        grouped=grouped,
        group=group,
        groupings=GROUPINGS,
        filters=filters,
        query=query,
        problem=problem,
        choices=filter_choices(con),
        page_link=lambda n: "/?" + urlencode({**query, "page": n}),
        export_link="/export/queue.csv?" + urlencode(query),
        return_to=path_and_query(request),
        decided=params.get("decided"),
        decided_action=params.get("action"),
    )


@router.post("/decisions")
def bulk_decision(
    con: Con,
    session: SignedForm,
    action: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
    flag_id: Annotated[list[str] | None, Form()] = None,
    return_to: Annotated[str, Form()] = "/",
) -> Response:
    back = safe_path(return_to)
    try:
        count = decide(con, flag_id or [], action, note, session.user)
    except ReviewError as exc:
        return back_with(back, problem=str(exc))
    return back_with(back, decided=count, action=action)


@router.get("/export/queue.csv")
def export_queue(request: Request, con: Con, session: Signed) -> Response:
    frame = queue_export(con, parse_filters(request.query_params, FORM_NAMES))
    return csv_download(frame.write_csv(), "transship-queue.csv")


def _page_number(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError as exc:
        raise ReviewError(f"page {value!r} is not a number") from exc
