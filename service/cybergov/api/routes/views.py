"""``/timeline/...`` and ``/network/...``: an incident's timeline (or that of the incidents
attributed to an actor), and the network around any resource of the graph."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from cybergov.api.deps import ServiceDep
from cybergov.api.links import href
from cybergov.api.negotiation import HTML, JSON, choose
from cybergov.api.render import page, root_path
from cybergov.api.service import Service
from cybergov.api.svg import timeline_svg
from cybergov.explore.network import MAX_LIMIT, neighbourhood
from cybergov.explore.timelines import timeline
from cybergov.namespaces import CGR, shorten

router = APIRouter(tags=["views"])

Format = Annotated[Literal["html", "json"] | None, Query(description="html or json.")]


def timeline_answer(request: Request, service: Service, path: str, format: str | None) -> Response:
    representation = choose(request.headers.get("accept"), (HTML, JSON), format=format)
    found = timeline(service.store, f"{CGR}{path}")
    if representation is JSON:
        return JSONResponse(
            {
                "subject": found.subject,
                "title": found.title,
                "incidents": found.incidents,
                "events": [
                    {
                        "kind": e.kind,
                        "date": e.day.isoformat(),
                        "end": e.end.isoformat() if e.end else None,
                        "iri": e.iri,
                        "label": e.label,
                        "incident": e.incident,
                        "by": e.who,
                        "to": e.to,
                        "basis": e.basis,
                        "status": e.status,
                        "kinds": e.what,
                        "daysAfterIncident": e.lag,
                        "daysAfterFirstAttribution": e.lag_from_attribution,
                    }
                    for e in found.events
                ],
            }
        )
    return page(
        request,
        service,
        "timeline.html",
        timeline=found,
        chart=timeline_svg(found, root_path(request)),
        json_link="?format=json",
    )


@router.api_route(
    "/timeline/{path:path}",
    methods=["GET", "HEAD"],
    summary="The timeline of an incident, or of the incidents attributed to an actor",
    response_class=Response,
    responses={
        200: {"content": {"text/html": {}, "application/json": {}}},
        404: {"description": "The resource is neither an incident nor an actor."},
    },
)
async def timeline_view(
    path: str, request: Request, service: ServiceDep, format: Format = None
) -> Response:
    """For ``incident/...``: its start, each attribution (who, when, basis, status), each
    response (who, what, legal basis, lag in days), the listings made over it and their
    renewals, and the claims that it breached a norm. For an actor (``state/RU``,
    ``group/apt28``): the same for every incident attributed to it."""
    run = partial(timeline_answer, request, service, path, format)
    return await anyio.to_thread.run_sync(run)


def network_answer(
    request: Request, service: Service, path: str, limit: int, format: str | None
) -> Response:
    representation = choose(request.headers.get("accept"), (HTML, JSON), format=format)
    iri = f"{CGR}{path}"
    found = service.cached(
        f"network {path} {limit}", lambda: neighbourhood(service.store, iri, limit=limit)
    )
    root = root_path(request)
    if representation is JSON:
        body = found.as_json()
        for node in body["nodes"]:  # type: ignore[attr-defined]
            node["id"] = shorten(node["iri"])
            node["url"] = href(node["iri"], root)
            node["network"] = f"{root}/network/{node['iri'][len(str(CGR)) :]}"
        return JSONResponse(body)
    labels = {node.iri: node.label for node in found.nodes}
    return page(
        request,
        service,
        "network.html",
        network=found,
        center=found.nodes[0],
        labels=labels,
        limit=limit,
        max_limit=MAX_LIMIT,
        data_link=f"{root}/network/{path}?format=json&limit={limit}",
    )


@router.api_route(
    "/network/{path:path}",
    methods=["GET", "HEAD"],
    summary="The network around a resource",
    response_class=Response,
    responses={
        200: {"content": {"text/html": {}, "application/json": {}}},
        404: {"description": "Nothing links to or from the resource."},
    },
)
async def network_view(
    path: str,
    request: Request,
    service: ServiceDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Neighbours kept.")] = 25,
    format: Format = None,
) -> Response:
    """The resources linked to ``https://w3id.org/cybergov/id/{path}`` and from it (states,
    organs, groups, incidents, attributions, sanctions...), and those at the other end of
    the records among them; at most ``limit`` neighbours, the most telling first."""
    run = partial(network_answer, request, service, path, limit, format)
    return await anyio.to_thread.run_sync(run)
