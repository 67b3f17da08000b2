"""The typed dependencies of the routes: the service, and the ``format`` parameter."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import Depends, Query, Request

from cybergov.api.service import Service


async def get_service(request: Request) -> Service:
    """The state of this service process, made by the lifespan.

    The dependencies are coroutines because they do not block: FastAPI would
    otherwise hand each of them to a worker thread.
    """
    return cast(Service, request.app.state.service)


ServiceDep = Annotated[Service, Depends(get_service)]


def _format_query(names: str, example: str) -> Any:
    """The ``format`` query parameter of an operation that answers in ``names``."""
    return Query(
        alias="format",
        description=f"The representation, overriding Accept: {names} (or a media type).",
        examples=[example],
    )


#: ``format`` where RDF is answered (resources, the ontology, the shapes, VoID).
FormatParam = Annotated[str | None, _format_query("html, ttl, jsonld, nt, rdf, trig, nq", "ttl")]
#: ``format`` where a page or JSON is answered.
PageFormatParam = Annotated[str | None, _format_query("html, json", "json")]
#: ``format`` of a contribution's record: JSON, its page, or its statements in RDF.
RecordFormatParam = Annotated[
    str | None, _format_query("json, html, ttl, jsonld, nt, rdf, trig, nq", "json")
]
#: ``format`` of the list of dumps: JSON, its page, or a dump itself.
DumpsFormatParam = Annotated[
    str | None, _format_query("json, html, nq, trig, jsonld, nt, ttl", "json")
]
#: ``format`` of the query endpoint's answers (``output`` and ``results`` are read too).
SparqlFormatParam = Annotated[
    str | None,
    _format_query(
        "for SELECT and ASK json, xml, csv, tsv; for CONSTRUCT and DESCRIBE ttl (or n3), nt, "
        "jsonld, rdf; html for the form; without a query (the service description) ttl, "
        "jsonld, nt, rdf, html. An Accept header that names a format wins",
        "json",
    ),
]


def public_url(request: Request, path: str) -> str:
    """The absolute URL of ``path`` (``/sparql``, ``/`` for the service itself): made from
    the public base of the settings (``CYBERGOV_PUBLIC_BASE``), never from the request's
    ``Host`` header, which the client chooses."""
    return cast(Service, request.app.state.service).settings.base_url() + path
