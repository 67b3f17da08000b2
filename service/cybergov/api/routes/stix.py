"""``/stix``: the graph as STIX 2.1 bundles, the curated graph and each import's graph,
made once per graph version."""

from __future__ import annotations

import hashlib
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from cybergov.api.deps import ServiceDep
from cybergov.api.routes.dumps import not_modified
from cybergov.api.service import Service
from cybergov.exchange.stix import (
    CURATED,
    MEDIA_TYPE,
    StixExport,
    export_stix,
    import_graphs,
    parse_since,
)

router = APIRouter(tags=["STIX and TAXII"])

GraphParam = Annotated[
    str,
    Query(
        description="'curated' (every kg/ graph) or the IRI of one import's graph.",
        examples=["curated"],
    ),
]
SinceParam = Annotated[
    str | None,
    Query(
        description="Only objects modified at or after this date or time.", examples=["2024-05-01"]
    ),
]


def stix_export(service: Service, graph: str) -> StixExport:
    """The STIX export of a selection, made once per graph version.

    Raises:
        ResourceNotFound: the store holds no such graph.
    """
    version = service.version()
    return service.cached(
        f"stix {graph}", lambda: export_stix(service.runner, graph=graph), version=version
    )


@router.get("/stix", summary="The STIX 2.1 bundles: the curated graph and each import")
def stix_index(request: Request, service: ServiceDep) -> JSONResponse:
    base = f"{request.base_url}stix/bundle.json"
    bundles = [{"graph": CURATED, "url": base}]
    bundles += [{"graph": g, "url": f"{base}?{_query(g)}"} for g in import_graphs(service.store)]
    body = {
        "media_type": MEDIA_TYPE,
        "bundles": bundles,
        "taxii": f"{request.base_url}taxii2/",
    }
    return JSONResponse(body)


@router.api_route(
    "/stix/bundle.json",
    methods=["GET", "HEAD"],
    summary="One STIX 2.1 bundle",
    response_class=Response,
    responses={
        200: {"description": "A STIX 2.1 bundle.", "content": {MEDIA_TYPE: {}}},
        404: {"description": "The store holds no such graph."},
        422: {"description": "since is not a date."},
    },
)
def stix_bundle(
    request: Request, service: ServiceDep, graph: GraphParam = CURATED, since: SinceParam = None
) -> Response:
    """Every actor, group, incident, malware, attribution, response and listing of the
    selection as STIX 2.1 objects, with identifiers that stay the same across exports."""
    moment = parse_since(since) if since else None
    version = service.version()
    asked = hashlib.sha256(f"{graph} {since}".encode()).hexdigest()[:16]
    etag = f'W/"{version}-{asked}"'
    headers = {"ETag": etag, "X-Graph-Version": version, "Cache-Control": "no-cache"}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    export = stix_export(service, graph)
    if moment is None:
        body = service.cached(f"stix json {graph}", export.body, version=version)
    else:
        body = export.modified_since(moment).body()
    return Response(body, media_type=MEDIA_TYPE, headers=headers)


def _query(graph: str) -> str:
    return urlencode({"graph": graph})
