"""``/void``: the description of the dataset in VoID and DCAT."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cybergov.api.deps import FormatParam, ServiceDep, public_url
from cybergov.api.negotiation import HTML, RDF_FIRST, by_extension, choose
from cybergov.api.render import alternates, page, rdf_response
from cybergov.api.routes.dumps import not_modified
from cybergov.api.service import Service
from cybergov.errors import ResourceNotFound
from cybergov.exchange.dumps import DUMP_FORMATS
from cybergov.exchange.void import (
    DATASET_IRI,
    DatasetDescription,
    dataset_triples,
    describe_dataset,
)

router = APIRouter(tags=["dumps and dataset"])


def dataset_description(service: Service, version: str) -> DatasetDescription:
    return service.cached(
        "void", lambda: describe_dataset(service.store, version=version), version=version
    )


def serve(
    request: Request, service: Service, *, format: str | None, extension: str | None
) -> Response:
    representation = choose(
        request.headers.get("accept"), RDF_FIRST, format=format, extension=extension
    )
    version = service.version()
    etag = f'W/"{version}-{representation.key}"'
    headers = {"ETag": etag, "Link": alternates("/void", RDF_FIRST), "X-Graph-Version": version}
    if not_modified(request, etag):
        return Response(status_code=304, headers={**headers, "Vary": "Accept"})
    described = dataset_description(service, version)
    base = public_url(request, "/")
    if representation is HTML:
        formats = [
            (r.label, r.media_type, f"/void?format={r.extension}")
            for r in RDF_FIRST
            if r is not HTML
        ]
        return page(
            request,
            service,
            "void.html",
            headers=headers,
            void=described,
            dataset_iri=DATASET_IRI,
            base=base,
            dump_formats=DUMP_FORMATS,
            formats=formats,
        )
    triples = service.cached(
        f"void-triples {base}",
        lambda: dataset_triples(described, service_url=base),
        version=version,
    )
    return rdf_response(triples, representation, headers=headers)


@router.api_route(
    "/void",
    methods=["GET", "HEAD"],
    summary="The dataset description (VoID and DCAT)",
    response_class=Response,
    responses={
        200: {
            "description": "The dataset: title, licence, publisher, named graphs with their "
            "sizes, class and property partitions, dumps, SPARQL endpoint, examples.",
            "content": {r.media_type: {} for r in RDF_FIRST},
        },
        406: {"description": "None of the accepted media types is offered."},
    },
)
def void(request: Request, service: ServiceDep, format: FormatParam = None) -> Response:
    """Turtle unless asked otherwise (HTML for browsers, JSON-LD, N-Triples, RDF/XML)."""
    return serve(request, service, format=format, extension=None)


@router.api_route(
    "/void.{extension}", methods=["GET", "HEAD"], response_class=Response, include_in_schema=False
)
def void_file(extension: str, request: Request, service: ServiceDep) -> Response:
    if by_extension(extension, RDF_FIRST) is None:
        raise ResourceNotFound(f"there is no /void.{extension}; try /void.ttl")
    return serve(request, service, format=None, extension=extension)
