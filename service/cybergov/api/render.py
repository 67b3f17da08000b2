"""Turning what the library returns into responses: pages from templates, RDF documents."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pyoxigraph import NamedNode, Quad, Triple

from cybergov import __version__, rdf_formats
from cybergov.api.links import href
from cybergov.api.negotiation import Representation
from cybergov.api.service import Service
from cybergov.namespaces import shorten

#: Pages load nothing but this service's stylesheet: no script can run in them.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def root_path(request: Request) -> str:
    """Where the service is mounted (empty at the root of its host)."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def app_path(request: Request) -> str:
    """The request's path within the service, without the prefix it is mounted under."""
    root = root_path(request)
    path = request.url.path
    return path[len(root) :] if root and path.startswith(root) else path


def page(
    request: Request,
    service: Service,
    template: str,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page rendered from a template, every value escaped, scripts forbidden."""
    root = root_path(request)
    html = service.templates.get_template(template).render(
        root=root,
        href=lambda iri: href(iri, root),
        shorten=shorten,
        is_iri=lambda term: isinstance(term, NamedNode),
        software_version=__version__,
        **context,
    )
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Vary": "Accept",
            **(headers or {}),
        },
    )


def serialise(statements: Iterable[Triple | Quad], representation: Representation) -> bytes:
    """Statements in an RDF representation; quads lose their graph unless it keeps graphs."""
    rdf_format = representation.rdf_format
    assert rdf_format is not None, f"{representation.label} is not an RDF format"
    given = list(statements)
    if representation.dataset:
        quads = [s if isinstance(s, Quad) else Quad(*s) for s in given]
        return rdf_formats.serialise(quads, rdf_format)
    triples = list(dict.fromkeys(s.triple if isinstance(s, Quad) else s for s in given))
    return rdf_formats.serialise(triples, rdf_format)


def rdf_response(
    statements: Iterable[Triple | Quad],
    representation: Representation,
    *,
    headers: Mapping[str, str] | None = None,
) -> Response:
    return Response(
        serialise(statements, representation),
        media_type=representation.media_type,
        headers={"Vary": "Accept", **(headers or {})},
    )


def alternates(path: str, offers: Sequence[Representation]) -> str:
    """A ``Link`` header naming every other representation of the resource at ``path``."""
    return ", ".join(
        f'<{path}?format={r.extension}>; rel="alternate"; type="{r.media_type}"' for r in offers
    )
