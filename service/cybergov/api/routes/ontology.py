"""``/ontology``: the ontology, whole or one module, as its documentation or as RDF."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pyoxigraph import RdfFormat, parse

from cybergov.api.deps import FormatParam, ServiceDep
from cybergov.api.negotiation import HTML, RDF_PAGE, TURTLE, by_extension, choose
from cybergov.api.render import alternates, page, rdf_response
from cybergov.api.routes.resources import RESPONSES, documentation
from cybergov.api.service import Service
from cybergov.errors import ResourceNotFound
from cybergov.exchange.ontology_doc import ontology_triples
from cybergov.knowledge.ontology import is_version, kept_versions
from cybergov.namespaces import ONTOLOGY_IRI

router = APIRouter(tags=["ontology and shapes"])


def serve(
    request: Request,
    service: Service,
    module: str | None,
    *,
    format: str | None,
    extension: str | None,
    own_path: str,
) -> Response:
    representation = choose(
        request.headers.get("accept"), RDF_PAGE, format=format, extension=extension
    )
    headers = {"Link": alternates(own_path, RDF_PAGE)}
    if representation is not HTML:
        triples = list(ontology_triples(service.store, module))
        return rdf_response(triples, representation, headers=headers)
    doc = documentation(service)
    chosen = doc.module(module) if module else None
    formats = [(r.label, r.media_type, f"{own_path}?format={r.extension}") for r in RDF_PAGE[1:]]
    return page(
        request,
        service,
        "ontology.html",
        headers=headers,
        doc=doc,
        module=chosen,
        classes=doc.classes(module),
        properties=doc.properties(module),
        hierarchy=doc.hierarchy(module),
        schemes=[s for s in doc.schemes if chosen is None or s.graph == chosen.graph],
        formats=formats,
    )


@router.api_route(
    "/ontology",
    methods=["GET", "HEAD"],
    summary="The ontology",
    response_class=Response,
    responses=RESPONSES,
)
def ontology(request: Request, service: ServiceDep, format: FormatParam = None) -> Response:
    """Every module of the ontology: the documentation of its classes, properties and concept
    schemes (each cybergov term an anchor, ``/ontology#Incident``), or its triples."""
    return serve(request, service, None, format=format, extension=None, own_path="/ontology")


@router.api_route(
    "/ontology.{extension}",
    methods=["GET", "HEAD"],
    summary="The ontology in the format of an extension",
    response_class=Response,
    responses=RESPONSES,
    include_in_schema=False,
)
def ontology_file(extension: str, request: Request, service: ServiceDep) -> Response:
    if by_extension(extension, RDF_PAGE) is None:
        raise ResourceNotFound(f"there is no /ontology.{extension}; try /ontology.ttl")
    return serve(request, service, None, format=None, extension=extension, own_path="/ontology")


@router.api_route(
    "/ontology/{module}",
    methods=["GET", "HEAD"],
    summary="One module of the ontology",
    response_class=Response,
    responses=RESPONSES,
)
def ontology_module(
    module: str, request: Request, service: ServiceDep, format: FormatParam = None
) -> Response:
    """One module (``actors``, ``incidents``...), documented or as RDF; ``actors.ttl`` names
    the format by its extension."""
    name, dot, extension = module.rpartition(".")
    if not dot or by_extension(extension, RDF_PAGE) is None:
        name, extension = module, ""
    if is_version(name):
        return version(request, service, name, format=format, extension=extension or None)
    own_path = f"/ontology/{name}"
    return serve(
        request, service, name, format=format, extension=extension or None, own_path=own_path
    )


def version(
    request: Request, service: Service, name: str, *, format: str | None, extension: str | None
) -> Response:
    """A version IRI: the current version is the ontology itself; an earlier release is
    served whole from its kept file, as RDF only (Turtle for a browser)."""
    root = next(m for m in documentation(service).modules if m.iri == ONTOLOGY_IRI)
    if root.version_iri == f"{ONTOLOGY_IRI}/{name}":
        return RedirectResponse("/ontology", status_code=303)
    kept = kept_versions()
    if name not in kept:
        known = ", ".join([*kept, (root.version_iri or "").rpartition("/")[2]])
        raise ResourceNotFound(f"the ontology has no version {name}; its versions are {known}")
    representation = choose(
        request.headers.get("accept"), RDF_PAGE, format=format, extension=extension
    )
    if representation is HTML:
        representation = TURTLE
    triples = list(parse(path=str(kept[name]), format=RdfFormat.TURTLE))
    own_path = f"/ontology/{name}"
    return rdf_response(triples, representation, headers={"Link": alternates(own_path, RDF_PAGE)})
