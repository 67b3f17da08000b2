"""Query answers as responses: SPARQL results, RDF graphs, and the flag of a cut answer.

Every answer says whether the row cap cut it, in the ``Cybergov-Results-Truncated``
header (``true`` or ``false``), whatever its format; JSON answers also say it in
their ``truncated`` member.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi.responses import Response
from pyoxigraph import Triple

from cybergov import rdf_formats
from cybergov.api.negotiation import Representation
from cybergov.execution import Serialised

TRUNCATED = "Cybergov-Results-Truncated"


def flags(truncated: bool) -> dict[str, str]:
    """The headers of every answer: whether it was cut, and that it depends on Accept."""
    return {TRUNCATED: "true" if truncated else "false", "Vary": "Accept"}


def graph_response(
    triples: list[Triple],
    representation: Representation,
    *,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A CONSTRUCT or DESCRIBE answer in an RDF format."""
    assert representation.rdf_format is not None
    truncated = bool(getattr(triples, "truncated", False))
    return Response(
        rdf_formats.serialise(triples, representation.rdf_format),
        media_type=representation.content_type,
        headers={**flags(truncated), **(headers or {})},
    )


def serialised_response(
    answer: Serialised,
    representation: Representation,
    *,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A SELECT or ASK answer the query workers already wrote in the negotiated format."""
    return Response(
        answer.body,
        media_type=representation.content_type,
        headers={**flags(answer.truncated), **(headers or {})},
    )
