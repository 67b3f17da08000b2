"""Turning what the library returns into responses: pages from templates, RDF documents."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, serialize

from cybergov import __version__
from cybergov.api.links import href
from cybergov.api.negotiation import Representation
from cybergov.api.service import Service
from cybergov.exchange.labels import compact
from cybergov.namespaces import PREFIXES

#: Pages load nothing but this service's stylesheet: no script can run in them.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
_PREFIXED = (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDF_XML)


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
        compact=compact,
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
    items: list[Triple] | list[Quad]
    given = list(statements)
    if representation.dataset:
        items = [
            s if isinstance(s, Quad) else Quad(s.subject, s.predicate, s.object) for s in given
        ]
    else:
        items = list(dict.fromkeys(s.triple if isinstance(s, Quad) else s for s in given))
    prefixes = used_prefixes(items) if rdf_format in _PREFIXED else None
    return serialize(items, format=rdf_format, prefixes=prefixes) or b""


def used_prefixes(statements: Iterable[Triple | Quad]) -> dict[str, str]:
    """The cybergov prefixes whose namespace an IRI of ``statements`` is in."""
    iris: set[str] = set()
    for statement in statements:
        for term in statement:
            if isinstance(term, NamedNode):
                iris.add(term.value)
            elif isinstance(term, Literal):
                iris.add(term.datatype.value)
    namespaces = {iri[: max(iri.rfind("#"), iri.rfind("/")) + 1] for iri in iris}
    return {prefix: ns for prefix, ns in PREFIXES.items() if ns in namespaces}


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
