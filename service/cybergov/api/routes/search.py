"""``/search``: full-text search over labels, names, aliases, identifiers and descriptions,
as a page for people and as JSON for programs and for search as you type."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from cybergov.api.deps import ServiceDep
from cybergov.api.links import href
from cybergov.api.negotiation import HTML, JSON, choose
from cybergov.api.render import app_path, page, root_path
from cybergov.api.service import Service
from cybergov.errors import QueryParameterError
from cybergov.explore.documents import KIND_NAMES
from cybergov.explore.search import MAX_LIMIT, SearchResults
from cybergov.namespaces import shorten

router = APIRouter(tags=["search"])


def results_json(request: Request, results: SearchResults) -> dict[str, object]:
    """The JSON answer: the hits with their short names and where they are served."""
    body = results.as_json()
    root = root_path(request)
    for hit in body["results"]:  # type: ignore[attr-defined]
        hit["id"] = shorten(hit["iri"])
        hit["url"] = href(hit["iri"], root)
    following = results.offset + results.limit
    if following < results.total:
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "offset"]
        body["next"] = f"{root}{app_path(request)}?{urlencode([*query, ('offset', following)])}"
    return body


def answer(
    request: Request,
    service: Service,
    *,
    text: str,
    kinds: list[str],
    within: str | None,
    limit: int,
    offset: int,
    format: str | None,
) -> Response:
    representation = choose(request.headers.get("accept"), (JSON, HTML), format=format)
    results = service.search.search(text, kinds=kinds, within=within, limit=limit, offset=offset)
    if representation is JSON:
        return JSONResponse(results_json(request, results), headers={"Vary": "Accept"})
    base = [("q", text), *(("kind", k) for k in kinds)]
    return page(
        request,
        service,
        "search.html",
        results=results,
        kind_names=KIND_NAMES,
        facet_links={kind: urlencode([("q", text), ("kind", kind)]) for kind in results.facets},
        all_kinds_link=urlencode([("q", text)]),
        previous_link=urlencode([*base, ("offset", max(0, offset - limit))]) if offset else None,
        next_link=urlencode([*base, ("offset", offset + limit)])
        if offset + limit < results.total
        else None,
        search_text=text,
    )


@router.api_route(
    "/search",
    methods=["GET", "HEAD"],
    summary="Search the graph by name, alias, identifier or description",
    response_class=Response,
    responses={
        200: {
            "description": "The resources found, best first, with the number found of each "
            "kind (facets) and the words corrected.",
            "content": {"application/json": {}, "text/html": {}},
        }
    },
)
async def search(
    *,
    request: Request,
    service: ServiceDep,
    q: Annotated[
        str,
        Query(
            max_length=500,
            description="Words to find: a name, an alias (Fancy Bear), an identifier "
            "(32019D0797, G0007) or words of a description; the last word may be cut short.",
        ),
    ] = "",
    kind: Annotated[
        list[str] | None,
        Query(
            description="Only resources of these kinds (repeatable): " + ", ".join(KIND_NAMES) + "."
        ),
    ] = None,
    within: Annotated[
        str | None,
        Query(
            max_length=2000,
            description="Only resources of this class or concept scheme (a full IRI).",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Results of one page.")] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000, description="Results to skip.")] = 0,
    format: Annotated[
        Literal["json", "html"] | None, Query(description="json or html, overriding Accept.")
    ] = None,
) -> Response:
    """Ranked full-text search: labels weigh most, then identifiers, other names and
    aliases, then descriptions; misspelt words are corrected; ``kind`` narrows the hits
    (the facets count every kind)."""
    for name in kind or ():
        if name not in KIND_NAMES:
            raise QueryParameterError(
                f"parameter 'kind': {name[:40]!r} is not one of {', '.join(KIND_NAMES)}"
            )
    run = partial(
        answer,
        request,
        service,
        text=q,
        kinds=list(kind or ()),
        within=within,
        limit=limit,
        offset=offset,
        format=format,
    )
    return await anyio.to_thread.run_sync(run)
