"""``/contributions``: send a graph of facts, read the ones accepted, withdraw one.

``POST`` takes a contribution in Turtle, N-Triples, JSON-LD or RDF/XML (by
``Content-Type``) with a contributor's bearer token; it is refused before
parsing when it is too large (413) or of another type (415), validated against
the shapes in the context of the graph, and either stored with its provenance
and its derived facts in one transaction (201, ``Location``) or refused with
the validation report (422), nothing stored. ``DELETE`` with an admin token
withdraws one: its graph is dropped, its record is kept and marked withdrawn.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pyoxigraph import NamedNode, Quad

from cybergov.api.auth import Administrator, Contributor
from cybergov.api.deps import PageFormatParam, RecordFormatParam, ServiceDep, public_url
from cybergov.api.negotiation import HTML, JSON, RDF_PAGE, choose
from cybergov.api.protocol import MediaType, read_body
from cybergov.api.render import page, rdf_response, root_path
from cybergov.api.service import Service
from cybergov.contribute import contributions
from cybergov.contribute.contributions import Contribution, Outcome
from cybergov.errors import UnsupportedFormat
from cybergov.namespaces import META_GRAPH

router = APIRouter(tags=["contributions"])

#: The media types a contribution may come in.
ACCEPTED = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")
RECORD_OFFERS = (JSON, *RDF_PAGE)

_BODY = {
    "required": True,
    "description": "The contribution: one graph, without named graphs.",
    "content": {media: {"schema": {"type": "string"}} for media in ACCEPTED},
}


def urls(request: Request, record: Contribution) -> dict[str, str]:
    own = public_url(request, f"/contributions/{record.id}")
    return {"url": own, "statements": f"{own}?format=ttl"}


def outcome_body(request: Request, outcome: Outcome) -> dict[str, Any]:
    body: dict[str, Any] = {
        **outcome.contribution.as_json(),
        **urls(request, outcome.contribution),
        "derived": {"added": outcome.derived_added, "removed": outcome.derived_removed},
    }
    if outcome.report is not None:
        body["validation"] = outcome.report.as_json()
    return body


@router.post(
    "/contributions",
    status_code=201,
    summary="Send a contribution",
    response_class=JSONResponse,
    openapi_extra={"requestBody": _BODY},
    responses={
        201: {"description": "Accepted and stored; Location names it."},
        400: {"description": "It does not parse (with line and column), is empty or hostile."},
        401: {"description": "No bearer token."},
        403: {"description": "The token is not a contributor's, or the service is read-only."},
        413: {"description": "Larger than the limit (checked before parsing)."},
        415: {"description": "Not Turtle, N-Triples, JSON-LD or RDF/XML."},
        409: {
            "description": "The same contributor sent the same bytes before: `existing` names "
            "the contribution that holds them; nothing was stored."
        },
        422: {
            "description": "It does not conform to the shapes (the report, in JSON and text), "
            "or describes a resource outside https://w3id.org/cybergov/id/ (named)."
        },
        503: {
            "description": "Its derived facts could not be worked out within the write "
            "timeout; nothing was stored (Retry-After)."
        },
    },
)
async def contribute(request: Request, service: ServiceDep, contributor: Contributor) -> Response:
    """Validate the graph in the body against the shapes, in the context of the graph, and
    store it as ``graph/contribution/<id>`` with who sent it (the token's name), when, the
    SHA-256 of the bytes and its size; the facts the rules derive from it are refreshed in
    the same transaction."""
    media = MediaType.parse(request.headers.get("content-type"))
    if media.type not in ACCEPTED:
        shown = f"Content-Type {media.type!r}" if media.type else "no Content-Type"
        raise UnsupportedFormat(f"a contribution with {shown}: send {', '.join(ACCEPTED)}")
    media.require_utf8()
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise UnsupportedFormat(f"Content-Encoding {encoding!r}: send the contribution as it is")
    data = await read_body(
        request, limit=service.settings.max_contribution_bytes, what="the contribution"
    )
    run = partial(service.contribute, data, media_type=media.type, contributor=contributor)
    outcome = await anyio.to_thread.run_sync(run)
    location = f"{root_path(request)}/contributions/{outcome.contribution.id}"
    return JSONResponse(
        outcome_body(request, outcome), status_code=201, headers={"Location": location}
    )


@router.api_route(
    "/contributions",
    methods=["GET", "HEAD"],
    summary="The contributions received",
    response_class=Response,
)
def list_contributions(
    request: Request,
    service: ServiceDep,
    format: PageFormatParam = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Records of one page.")] = 100,
    offset: Annotated[int, Query(ge=0, description="Records to skip.")] = 0,
) -> Response:
    """Every contribution, newest first, withdrawn ones included (marked), as JSON or a page."""
    representation = choose(request.headers.get("accept"), (JSON, HTML), format=format)
    records = contributions.list_contributions(service.store)
    shown = records[offset : offset + limit]
    if representation is HTML:
        return page(request, service, "contributions.html", records=shown, count=len(records))
    body = {
        "count": len(records),
        "contributions": [{**r.as_json(), **urls(request, r)} for r in shown],
        "page": {"limit": limit, "offset": offset},
    }
    return JSONResponse(body, headers={"Vary": "Accept", "Cache-Control": "no-store"})


def serve_record(
    request: Request, service: Service, identifier: str, format: str | None
) -> Response:
    representation = choose(request.headers.get("accept"), RECORD_OFFERS, format=format)
    if representation is JSON:
        record = contributions.get(service.store, identifier)
        return JSONResponse(
            {**record.as_json(), **urls(request, record)},
            headers={"Vary": "Accept", "Cache-Control": "no-store"},
        )
    if representation is HTML:
        record = contributions.get(service.store, identifier)
        triples = (
            [] if record.withdrawn else sorted(service.store.graph_triples(record.graph), key=str)
        )
        return page(request, service, "contribution.html", record=record, triples=triples)
    record, triples = contributions.statements(service.store, identifier)
    if representation.dataset:
        graph, meta = NamedNode(record.graph), NamedNode(META_GRAPH)
        quads = [Quad(t.subject, t.predicate, t.object, graph) for t in triples]
        quads += [
            Quad(t.subject, t.predicate, t.object, meta) for t in contributions.description(record)
        ]
        return rdf_response(quads, representation, headers={"Cache-Control": "no-store"})
    return rdf_response(triples, representation, headers={"Cache-Control": "no-store"})


@router.api_route(
    "/contributions/{identifier}",
    methods=["GET", "HEAD"],
    summary="One contribution: its record, or its statements",
    response_class=Response,
    responses={
        200: {
            "description": "The record (JSON or a page), or the statements (Turtle, JSON-LD, "
            "N-Triples, RDF/XML; TriG and N-Quads add the record in the metadata graph).",
            "content": {r.media_type: {} for r in RECORD_OFFERS},
        },
        404: {"description": "No contribution has that identifier."},
        410: {"description": "The statements of a withdrawn contribution (its record stays)."},
    },
)
def contribution(
    identifier: str, request: Request, service: ServiceDep, format: RecordFormatParam = None
) -> Response:
    """The record of a contribution (who sent it, when, its checksum, size and status) as
    JSON or a page, or its statements in an RDF format, by ``Accept`` or ``?format=``."""
    return serve_record(request, service, identifier, format)


@router.delete(
    "/contributions/{identifier}",
    summary="Withdraw a contribution",
    response_class=JSONResponse,
    responses={
        200: {"description": "Withdrawn: its graph is gone, its record marked."},
        401: {"description": "No bearer token."},
        403: {"description": "The token is not an admin's, or the service is read-only."},
        404: {"description": "No contribution has that identifier."},
        410: {"description": "It was withdrawn already."},
    },
)
async def withdraw(
    identifier: str, request: Request, service: ServiceDep, admin: Administrator
) -> JSONResponse:
    """Drop exactly the contribution's graph, record when and by whom it was withdrawn
    (``prov:invalidatedAtTime``), and refresh the derived facts, in one transaction."""
    run = partial(service.withdraw, identifier, admin=admin)
    outcome = await anyio.to_thread.run_sync(run)
    return JSONResponse(outcome_body(request, outcome))
