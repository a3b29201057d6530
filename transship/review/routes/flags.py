"""One flag: its page, its printable evidence, and the decision taken on it."""

from datetime import datetime
from typing import Annotated, Any

import duckdb
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from transship.detectors.base import code
from transship.errors import ReviewError, UnknownFlagError
from transship.importers import imports_of, statistics_of
from transship.review.chart import Marker, corridor_chart
from transship.review.decisions import decide
from transship.review.entities import trader_entities
from transship.review.evidence import TRADER_SHIPMENTS, Evidence, control_markers, flag_evidence
from transship.review.routes.dependencies import Con, Page, Signed, SignedForm, back_with

router = APIRouter()


@router.get("/flags/{flag_id}", response_class=HTMLResponse)
def flag_page(request: Request, con: Con, page: Page, session: Signed, flag_id: str) -> Response:
    return page.render(
        "flag.html",
        session,
        **_evidence_context(con, flag_id),
        problem=request.query_params.get("problem"),
    )


@router.get("/flags/{flag_id}/evidence", response_class=HTMLResponse)
def evidence_page(con: Con, page: Page, session: Signed, flag_id: str) -> Response:
    return page.render(
        "evidence.html",
        session,
        **_evidence_context(con, flag_id),
        now=datetime.now().strftime("%Y-%m-%d %H:%M"),
    )


@router.post("/flags/{flag_id}/decision")
def flag_decision(
    con: Con,
    session: SignedForm,
    flag_id: str,
    action: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    try:
        decide(con, [flag_id], action, note, session.user)
    except UnknownFlagError:
        raise  # the 404 page, not a message on a flag page that does not exist
    except ReviewError as exc:
        return back_with(f"/flags/{flag_id}", problem=str(exc))
    return RedirectResponse(f"/flags/{flag_id}#decisions", status_code=303)


def _evidence_context(con: duckdb.DuckDBPyConnection, flag_id: str) -> dict[str, Any]:
    evidence = flag_evidence(con, flag_id)
    return {
        "evidence": evidence,
        "flag": evidence.flag,
        "chart": _chart(evidence),
        "decision_log": evidence.decisions.to_dicts(),
        "trader_shipments": TRADER_SHIPMENTS,
        "trader_entities": trader_entities(con, evidence.flag),
    }


def _chart(evidence: Evidence) -> str:
    flag = evidence.flag
    return corridor_chart(
        evidence.corridor,
        [Marker(day, label) for day, label in control_markers(evidence.controls)],
        flag["flag_date"],
        f"{imports_of(flag, code(flag['hs6']))} from {evidence.origin}, kg per month",
        statistics_of(flag),
    )
