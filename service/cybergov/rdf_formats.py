"""RDF formats by file extension, name or media type, parse errors in plain words, and
statements written with the prefixes they use."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, serialize

from cybergov.errors import RdfSyntaxError, UnsupportedFormat
from cybergov.namespaces import prefixes_for

_BY_EXTENSION: dict[str, RdfFormat] = {
    ".ttl": RdfFormat.TURTLE,
    ".nt": RdfFormat.N_TRIPLES,
    ".nq": RdfFormat.N_QUADS,
    ".trig": RdfFormat.TRIG,
    ".jsonld": RdfFormat.JSON_LD,
    ".json": RdfFormat.JSON_LD,
    ".rdf": RdfFormat.RDF_XML,
    ".owl": RdfFormat.RDF_XML,
    ".xml": RdfFormat.RDF_XML,
}

_BY_NAME: dict[str, RdfFormat] = {
    "turtle": RdfFormat.TURTLE,
    "ttl": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "n-triples": RdfFormat.N_TRIPLES,
    "nt": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS,
    "n-quads": RdfFormat.N_QUADS,
    "nq": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "json-ld": RdfFormat.JSON_LD,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
    "rdf/xml": RdfFormat.RDF_XML,
    "rdf-xml": RdfFormat.RDF_XML,
    "xml": RdfFormat.RDF_XML,
}

#: The graph formats a contribution may come in (no datasets: a contribution is one graph).
CONTRIBUTION_FORMATS = (RdfFormat.TURTLE, RdfFormat.N_TRIPLES, RdfFormat.JSON_LD, RdfFormat.RDF_XML)


def format_for_path(path: Path | str) -> RdfFormat:
    """The RDF format of a file, from its extension.

    Raises:
        UnsupportedFormat: the extension is not one of the known RDF ones.
    """
    suffix = Path(path).suffix.lower()
    try:
        return _BY_EXTENSION[suffix]
    except KeyError:
        known = ", ".join(sorted(_BY_EXTENSION))
        raise UnsupportedFormat(
            f"{path}: cannot tell the RDF format from the extension {suffix or '(none)'!r}; "
            f"use one of {known} or name the format"
        ) from None


def format_by_name(name: str) -> RdfFormat:
    """The RDF format for a name (``turtle``, ``nt``, ``json-ld``...) or a media type.

    Raises:
        UnsupportedFormat: the name is not a known format.
    """
    key = name.strip().lower()
    if key in _BY_NAME:
        return _BY_NAME[key]
    media_type = key.split(";", 1)[0].strip()
    found = RdfFormat.from_media_type(media_type)
    if found is not None:
        return found
    known = ", ".join(sorted(_BY_NAME))
    raise UnsupportedFormat(f"unknown RDF format {name!r}; use one of {known} or a media type")


def syntax_error(error: SyntaxError, source: str) -> RdfSyntaxError:
    """Turn a pyoxigraph parse error into one that names the source, line and column."""
    message = str(error.args[0]) if error.args else str(error)
    line: int | None = None
    column: int | None = None
    if len(error.args) > 1 and isinstance(error.args[1], tuple) and len(error.args[1]) >= 3:
        line, column = error.args[1][1], error.args[1][2]
    return RdfSyntaxError(message, source=source, line=line, column=column)


def serialise(statements: Sequence[Triple] | Sequence[Quad], format: RdfFormat) -> bytes:
    """Statements in an RDF format; formats with prefixes declare the cybergov prefixes
    the statements' IRIs (and their literals' datatypes) are shortened with."""
    iris: set[str] = set()
    for statement in statements:
        for term in (statement.subject, statement.predicate, statement.object):
            if isinstance(term, NamedNode):
                iris.add(term.value)
            elif isinstance(term, Literal):
                iris.add(term.datatype.value)
    return serialize(statements, format=format, prefixes=prefixes_for(iris)) or b""
