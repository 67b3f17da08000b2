"""Reading a contribution from outside into an rdflib graph, with nothing left to chance.

A contribution is untrusted bytes in Turtle, N-Triples, JSON-LD or RDF/XML.
Before any parser runs, its size is bounded, its text must be UTF-8, its
nesting is bounded, RDF/XML with DOCTYPE or entity declarations is refused and
JSON-LD contexts that would be fetched are refused (see :mod:`cybergov.contribute.screening`
and :mod:`cybergov.contribute.jsonld`). pyoxigraph then parses it, with no base IRI and no
document loader, so that nothing is read from the network or the disk; every
literal and IRI is bounded; and the triples become an rdflib graph, the only
form pySHACL is ever given.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import rdflib
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Triple, parse

from cybergov.contribute.jsonld import resolve_contexts
from cybergov.contribute.screening import (
    screen_json,
    screen_turtle,
    screen_xml,
)
from cybergov.errors import (
    DataError,
    DataNotFound,
    EmptyContribution,
    ExternalReferenceRefused,
    InputTooLarge,
    RdfSyntaxError,
    UnsupportedFormat,
    UnsupportedStatement,
    decode_utf8,
)
from cybergov.rdf_formats import CONTRIBUTION_FORMATS, format_by_name, format_for_path, syntax_error

if TYPE_CHECKING:
    from cybergov.settings import Settings

log = logging.getLogger(__name__)

_PARSER_POSITION = re.compile(r"^Parser error (?:at|between) [^:]*: ")


class _IllTypedLiteralFilter(logging.Filter):
    """rdflib logs a traceback for every ill-typed literal (``"2020-02-30"^^xsd:date``);
    in a contribution that is a finding of the shapes, reported there in plain words."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to convert Literal lexical form")


logging.getLogger("rdflib.term").addFilter(_IllTypedLiteralFilter())

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

#: The names ``--format`` takes for each contribution format.
FORMAT_NAMES: dict[RdfFormat, str] = {
    RdfFormat.TURTLE: "turtle",
    RdfFormat.N_TRIPLES: "nt",
    RdfFormat.JSON_LD: "json-ld",
    RdfFormat.RDF_XML: "rdfxml",
}


@dataclass(frozen=True, slots=True)
class IntakeLimits:
    """How much a contribution may hold: bytes in all, bytes in one literal or IRI, nesting."""

    max_bytes: int = 5_000_000
    max_literal_bytes: int = 100_000
    max_depth: int = 64

    @classmethod
    def from_settings(cls, settings: Settings) -> IntakeLimits:
        return cls(
            max_bytes=settings.max_contribution_bytes,
            max_literal_bytes=settings.max_literal_bytes,
            max_depth=settings.max_contribution_depth,
        )


def contribution_format(
    *, path: Path | str | None = None, name: str | None = None, media_type: str | None = None
) -> RdfFormat:
    """The format of a contribution: a name given (``turtle``, ``nt``, ``json-ld``,
    ``rdfxml``) wins over a media type, which wins over the file's extension.

    Raises:
        UnsupportedFormat: nothing names a format, or it is not one a contribution may use.
    """
    if name is not None:
        found = format_by_name(name)
    elif media_type is not None:
        found = format_by_name(media_type)
    elif path is not None:
        found = format_for_path(path)
    else:
        raise UnsupportedFormat("the format of the contribution is not given")
    if found not in CONTRIBUTION_FORMATS:
        accepted = ", ".join(FORMAT_NAMES[f] for f in CONTRIBUTION_FORMATS)
        raise UnsupportedFormat(
            f"{found.name} is not accepted for a contribution, which is one graph; use {accepted}"
        )
    return found


def to_rdflib_term(term: NamedNode | BlankNode | Literal) -> rdflib.term.Identifier:
    """The rdflib form of a pyoxigraph term; ``xsd:string`` literals become plain literals,
    as rdflib writes them, so that comparisons with the shapes' values hold."""
    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return rdflib.Literal(term.value)
    with warnings.catch_warnings():  # an ill-typed literal is the shapes' business, not a warning
        warnings.simplefilter("ignore")
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def _screen(text: str, format: RdfFormat, *, source: str, limits: IntakeLimits) -> tuple[str, bool]:
    """The text to parse, once screened, and whether its positions are the original ones."""
    if format == RdfFormat.TURTLE:
        screen_turtle(text, limit=limits.max_depth, source=source)
    elif format == RdfFormat.RDF_XML:
        screen_xml(text, limit=limits.max_depth, source=source)
    elif format == RdfFormat.JSON_LD:
        screen_json(text, limit=limits.max_depth, source=source)
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise RdfSyntaxError(
                f"not valid JSON: {error.msg}", source=source, line=error.lineno, column=error.colno
            ) from None
        resolved, changed = resolve_contexts(document, source=source)
        if changed:
            return json.dumps(resolved), False
    return text, True


def _parse(text: str, format: RdfFormat, *, source: str, exact: bool) -> list[Quad]:
    try:
        return list(parse(text.encode("utf-8"), format=format, base_iri=None))
    except SyntaxError as error:
        message = str(error.args[0]) if error.args else str(error)
        if "LoadDocumentCallback" in message or "remote context" in message:
            raise ExternalReferenceRefused(
                "the JSON-LD document refers to a remote context; cybergov never fetches "
                "contexts: write the context inline",
                source=source,
            ) from None
        located = syntax_error(error, source)
        if exact:
            raise RdfSyntaxError(
                _PARSER_POSITION.sub("", message),
                source=source,
                line=located.line,
                column=located.column,
            ) from None
        raise RdfSyntaxError(
            f"{message} (in the document once its bundled context was expanded)", source=source
        ) from None


def _bounded(
    term: NamedNode | BlankNode | Literal, *, source: str, limits: IntakeLimits, statement: Quad
) -> None:
    if isinstance(term, BlankNode):
        return
    size = len(term.value.encode("utf-8"))
    if size > limits.max_literal_bytes:
        kind = "literal" if isinstance(term, Literal) else "IRI"
        subject = statement.subject
        where = f"<{subject.value}>" if isinstance(subject, NamedNode) else "a blank node"
        raise InputTooLarge(
            f"a {kind} of {size:,} bytes (in a statement about {where} with "
            f"<{statement.predicate.value}>) is longer than the limit of "
            f"{limits.max_literal_bytes:,} bytes",
            source=source,
        )


def _to_graph(quads: Iterable[Quad], *, source: str, limits: IntakeLimits) -> rdflib.Graph:
    graph = rdflib.Graph(bind_namespaces="none")
    for quad in quads:
        if not isinstance(quad.graph_name, DefaultGraph):
            raise UnsupportedStatement(
                f"the document puts statements in the named graph <{quad.graph_name}>; a "
                "contribution is one graph: send its statements without a graph name",
                source=source,
            )
        if isinstance(quad.subject, Triple) or isinstance(quad.object, Triple):
            raise UnsupportedStatement(
                "the document uses RDF 1.2 triple terms (<<( ... )>>), which contributions may "
                "not hold",
                source=source,
            )
        for term in (quad.subject, quad.predicate, quad.object):
            _bounded(term, source=source, limits=limits, statement=quad)
        graph.add(
            (
                to_rdflib_term(quad.subject),
                to_rdflib_term(quad.predicate),
                to_rdflib_term(quad.object),
            )
        )
    if len(graph) == 0:
        raise EmptyContribution("the document holds no statement", source=source)
    return graph


@dataclass(frozen=True, slots=True)
class ParsedContribution:
    """A contribution as pyoxigraph read it (what is stored) and as an rdflib graph (what
    pySHACL validates)."""

    triples: tuple[Triple, ...]
    graph: rdflib.Graph


def parse_contribution(
    data: bytes, *, format: RdfFormat, source: str, limits: IntakeLimits | None = None
) -> rdflib.Graph:
    """Parse an untrusted contribution into an rdflib graph, without network or file access.

    ``source`` names the contribution in messages (a file name, an upload).
    :func:`read_statements` does the same and also keeps the statements as read.

    Raises:
        see :func:`read_statements`.
    """
    return read_statements(data, format=format, source=source, limits=limits).graph


def read_statements(
    data: bytes, *, format: RdfFormat, source: str, limits: IntakeLimits | None = None
) -> ParsedContribution:
    """Parse an untrusted contribution, without network or file access: its statements as
    pyoxigraph read them (lexical forms untouched, for storing) and as an rdflib graph.

    Raises:
        InputTooLarge: the document, or one literal or IRI in it, is over the limits.
        InputTooDeep: the document nests deeper than the limit.
        DocumentTypeRefused: RDF/XML with a DOCTYPE or entity declarations.
        ExternalReferenceRefused: JSON-LD that names a context neither inline nor bundled.
        EmptyContribution: the document holds no statement.
        UnsupportedStatement: named graphs or RDF 1.2 triple terms.
        RdfSyntaxError: the document does not parse; names the line and column when known.
        UnsupportedFormat: the format is not one a contribution may use.
    """
    limits = limits or IntakeLimits()
    if format not in CONTRIBUTION_FORMATS:
        raise UnsupportedFormat(f"{source}: {format.name} is not accepted for a contribution")
    if len(data) > limits.max_bytes:
        raise InputTooLarge(
            f"the document has {len(data):,} bytes, more than the limit of {limits.max_bytes:,}",
            source=source,
        )
    text = decode_utf8(data, source=source, refusal=RdfSyntaxError)
    screened, exact = _screen(text, format, source=source, limits=limits)
    quads = _parse(screened, format, source=source, exact=exact)
    graph = _to_graph(quads, source=source, limits=limits)
    log.info("%s: %d statements read as %s", source, len(graph), FORMAT_NAMES[format])
    triples = tuple(dict.fromkeys(quad.triple for quad in quads))
    return ParsedContribution(triples, graph)


def read_contribution(
    path: Path, *, format: RdfFormat | None = None, limits: IntakeLimits | None = None
) -> rdflib.Graph:
    """Read and parse a contribution file; its format comes from ``format`` or its extension.

    A file larger than the limit is refused before it is read.

    Raises:
        DataNotFound: the file does not exist.
        DataError: the file cannot be read.
        UnsupportedFormat: the format cannot be told or is not accepted.
        InputRejected, RdfSyntaxError: see :func:`parse_contribution`.
    """
    limits = limits or IntakeLimits()
    chosen = format or contribution_format(path=path)
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise InputTooLarge(
                f"the file has {size:,} bytes, more than the limit of {limits.max_bytes:,}",
                source=str(path),
            )
        with path.open("rb") as handle:
            data = handle.read(limits.max_bytes + 1)
    except FileNotFoundError:
        raise DataNotFound(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a file") from None
    except OSError as error:
        raise DataError(f"{path}: cannot be read: {error.strerror or error}") from None
    return parse_contribution(data, format=chosen, source=str(path), limits=limits)
