"""The Warnings page: early warnings from the trade statistics, with their charts."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from transship.detectors import DetectorConfig
from transship.errors import TransshipError
from transship.review.routes.dependencies import AppSettings, Con, Page, Signed
from transship.review.warnings import parse_warning_filters, warnings_page

router = APIRouter()


@router.get("/warnings", response_class=HTMLResponse)
def warnings(
    request: Request, con: Con, page: Page, session: Signed, settings: AppSettings
) -> Response:
    warning_settings = DetectorConfig.load(settings.rules).warning_settings
    problem = None
    try:
        filters = parse_warning_filters(con, request.query_params)
        result = warnings_page(con, filters, warning_settings)
    except TransshipError as exc:
        # The defaults under the message: the page stays useful while saying what was wrong.
        problem = str(exc)
        result = warnings_page(con, parse_warning_filters(con, {}), warning_settings)
    return page.render("warnings.html", session, result=result, problem=problem)
