"""Linked data: every resource IRI ``https://w3id.org/cybergov/id/...`` (and every graph IRI
``.../graph/...``) is served here, as a page for people or as RDF, by content negotiation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cybergov.api.deps import FormatParam, ServiceDep
from cybergov.api.negotiation import HTML, RDF_PAGE, by_extension, choose
from cybergov.api.render import alternates, app_path, page, rdf_response, root_path
from cybergov.api.service import Service
from cybergov.api.views import Views
from cybergov.errors import ResourceNotFound
from cybergov.exchange.ontology_doc import OntologyDoc, document_ontology
from cybergov.exchange.resources import Description, describe_resource, description_quads
from cybergov.namespaces import CGR, GRAPH

router = APIRouter(tags=["linked data"])

RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The resource: a page, or its triples with the labels of what it links to.",
        "content": {r.media_type: {} for r in RDF_PAGE},
    },
    404: {"description": "Nothing is known of that IRI."},
    406: {"description": "None of the accepted media types is offered."},
}


def documentation(service: Service) -> OntologyDoc:
    """The ontology's documentation, made once per graph version."""
    return service.cached("ontology", lambda: document_ontology(service.store))


def anchors(service: Service) -> dict[str, str]:
    """Where the ontology page documents each term, made once per graph version."""
    return service.cached(
        "anchors", lambda: {iri: t.anchor for iri, t in documentation(service).terms.items()}
    )


def split_extension(path: str) -> tuple[str, str | None]:
    """``state/FR.ttl`` is ``state/FR`` asked for as Turtle; other dots are part of the name."""
    stem, dot, extension = path.rpartition(".")
    if dot and stem and "/" not in extension and by_extension(extension, RDF_PAGE):
        return stem, extension
    return path, None


def find(service: Service, base: str, path: str) -> tuple[Description, str | None]:
    """The description of ``base + path``, or of the path without a format extension.

    Raises:
        ResourceNotFound: neither is known.
    """
    try:
        return describe_resource(service.store, base + path), None
    except ResourceNotFound:
        stem, extension = split_extension(path)
        if extension is None:
            raise
    return describe_resource(service.store, base + stem), extension


def serve(request: Request, service: Service, base: str, path: str, format: str | None) -> Response:
    description, extension = find(service, base, path)
    representation = choose(
        request.headers.get("accept"), RDF_PAGE, format=format, extension=extension
    )
    own_path = app_path(request)
    if extension:
        own_path = own_path[: -len(extension) - 1]
    headers = {"Link": alternates(own_path, RDF_PAGE)}
    if representation is HTML:
        documented = anchors(service)
        context = Views(description, root_path(request), documented).context()
        formats = [
            (r.label, r.media_type, f"{own_path}?format={r.extension}") for r in RDF_PAGE[1:]
        ]
        return page(request, service, "resource.html", headers=headers, formats=formats, **context)
    return rdf_response(description_quads(description), representation, headers=headers)


@router.api_route(
    "/id/{path:path}",
    methods=["GET", "HEAD"],
    summary="A resource of the graph",
    response_class=Response,
    responses=RESPONSES,
)
def resource(
    path: str, request: Request, service: ServiceDep, format: FormatParam = None
) -> Response:
    """The resource ``https://w3id.org/cybergov/id/{path}``: what every named graph says of
    it (derived facts marked with their rule), what points at it, and the labels of what it
    links to. Choose the form with ``Accept``, ``?format=`` or an extension (``.ttl``)."""
    return serve(request, service, str(CGR), path, format)


@router.api_route(
    "/graph/{path:path}",
    methods=["GET", "HEAD"],
    summary="A named graph's description",
    response_class=Response,
    responses=RESPONSES,
)
def graph(path: str, request: Request, service: ServiceDep, format: FormatParam = None) -> Response:
    """The metadata of the named graph ``https://w3id.org/cybergov/graph/{path}``: its
    source file, checksum, size and, for derived facts, the rule that made them."""
    return serve(request, service, str(GRAPH), path, format)
