"""``/shapes``: the SHACL shapes contributions are validated against."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cybergov.api.deps import FormatParam, ServiceDep
from cybergov.api.negotiation import HTML, RDF_PAGE, by_extension, choose
from cybergov.api.render import alternates, page, rdf_response
from cybergov.api.routes.resources import RESPONSES
from cybergov.api.service import Service
from cybergov.errors import ResourceNotFound

router = APIRouter(tags=["ontology and shapes"])


def serve(
    request: Request, service: Service, *, format: str | None, extension: str | None
) -> Response:
    representation = choose(
        request.headers.get("accept"), RDF_PAGE, format=format, extension=extension
    )
    headers = {"Link": alternates("/shapes", RDF_PAGE)}
    shapes = service.shapes
    if representation is not HTML:
        return rdf_response(shapes.quads, representation, headers=headers)
    formats = [(r.label, r.media_type, f"/shapes?format={r.extension}") for r in RDF_PAGE[1:]]
    return page(request, service, "shapes.html", headers=headers, shapes=shapes, formats=formats)


@router.api_route(
    "/shapes",
    methods=["GET", "HEAD"],
    summary="The SHACL shapes",
    response_class=Response,
    responses=RESPONSES,
)
def shapes(request: Request, service: ServiceDep, format: FormatParam = None) -> Response:
    """Every shape of ``shapes/``, documented (each shape an anchor) or as RDF, one named
    graph per file in the dataset formats."""
    return serve(request, service, format=format, extension=None)


@router.api_route(
    "/shapes.{extension}",
    methods=["GET", "HEAD"],
    response_class=Response,
    include_in_schema=False,
)
def shapes_file(extension: str, request: Request, service: ServiceDep) -> Response:
    if by_extension(extension, RDF_PAGE) is None:
        raise ResourceNotFound(f"there is no /shapes.{extension}; try /shapes.ttl")
    return serve(request, service, format=None, extension=extension)
