"""The decision log: every analyst's decisions, on a page and as CSV."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from transship.review.decisions import decision_log
from transship.review.filters import blank_to_none
from transship.review.routes.dependencies import Con, Page, Signed, csv_download

router = APIRouter()

AUDIT_PAGE = 200


@router.get("/audit", response_class=HTMLResponse)
def audit(request: Request, con: Con, page: Page, session: Signed) -> Response:
    analyst = blank_to_none(request.query_params.get("analyst"))
    flag = blank_to_none(request.query_params.get("flag"))
    log = decision_log(con, flag_id=flag, analyst=analyst, limit=AUDIT_PAGE)
    return page.render(
        "audit.html",
        session,
        log=log.to_dicts(),
        analyst=analyst,
        flag=flag,
        limit=AUDIT_PAGE,
    )


@router.get("/export/decisions.csv")
def export_decisions(con: Con, session: Signed) -> Response:
    return csv_download(decision_log(con).write_csv(), "transship-decisions.csv")
