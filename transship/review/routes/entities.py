"""An entity's page (its spellings, shipments, flags and decisions), the analysts'
corrections to it (merge, split, each with a note) and one decision for all of its open
flags."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from transship.entities.corrections import merge, split
from transship.errors import EntityError, ReviewError, UnknownFlagError
from transship.review.entities import decide_entity, entity_page
from transship.review.routes.dependencies import Con, Page, Signed, SignedForm, back_with

router = APIRouter()


def _path(entity_id: str) -> str:
    return f"/entities/{quote(entity_id, safe='')}"


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity(request: Request, con: Con, page: Page, session: Signed, entity_id: str) -> Response:
    found = entity_page(con, entity_id)
    params = request.query_params
    return page.render(
        "entity.html",
        session,
        page=found,
        entity=found.details.entity,
        asked=entity_id,
        problem=params.get("problem"),
        merged=params.get("merged"),
        split=params.get("split"),
        decided=params.get("decided"),
        action=params.get("action"),
    )


@router.post("/entities/{entity_id}/merge")
def merge_entity(
    con: Con,
    session: SignedForm,
    entity_id: str,
    other: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    role = entity_page(con, entity_id).role
    try:
        done = merge(con, entity_id, other.strip(), note, session.user, role)
    except EntityError as exc:
        return back_with(_path(entity_id), problem=str(exc))
    return back_with(_path(done.entity_id), merged=other.strip())


@router.post("/entities/{entity_id}/split")
def split_alias(
    con: Con,
    session: SignedForm,
    entity_id: str,
    alias: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    role = entity_page(con, entity_id).role
    try:
        split(con, alias, note, session.user, role)
    except EntityError as exc:
        return back_with(_path(entity_id), problem=str(exc))
    return back_with(_path(entity_id), split=alias)


@router.post("/entities/{entity_id}/decision")
def entity_decision(
    con: Con,
    session: SignedForm,
    entity_id: str,
    action: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
    flag_id: Annotated[list[str] | None, Form()] = None,
) -> Response:
    try:
        count = decide_entity(con, entity_id, action, note, session.user, flag_id)
    except UnknownFlagError:
        raise
    except ReviewError as exc:
        return back_with(_path(entity_id), problem=str(exc))
    return back_with(_path(entity_id), decided=count, action=action)
