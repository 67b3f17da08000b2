"""Reading requests from outside within bounds: bodies, media types, and the operation a
SPARQL 1.1 Protocol request carries.

A body is refused (413) from its ``Content-Length`` before a byte of it is read,
and reading stops as soon as it passes the limit, whatever the header said. A
protocol request carries at most one query (400 for several), in the URL (GET),
a form (``application/x-www-form-urlencoded``) or the body itself
(``application/sparql-query``), with its dataset as ``default-graph-uri`` and
``named-graph-uri``; an update, in any of its forms, is refused (403): the
endpoint only reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from fastapi import Request
from pyoxigraph import NamedNode

from cybergov.errors import (
    InputTooLarge,
    MalformedRequest,
    ReadOnly,
    UnsupportedFormat,
    decode_utf8,
)

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
#: The most fields a form may hold (a query, its dataset, a few options).
MAX_FIELDS = 200


@dataclass(frozen=True, slots=True)
class MediaType:
    """A ``Content-Type`` header: the media type and its parameters, lower-cased."""

    type: str
    parameters: dict[str, str]

    @classmethod
    def parse(cls, header: str | None) -> MediaType:
        kind, *rest = (header or "").split(";")
        parameters = {}
        for item in rest:
            name, _, value = item.partition("=")
            parameters[name.strip().lower()] = value.strip().strip('"').lower()
        return cls(kind.strip().lower(), parameters)

    def require_utf8(self) -> None:
        """Refuse a text whose charset is not UTF-8 (415)."""
        charset = self.parameters.get("charset")
        if charset and charset not in ("utf-8", "utf8"):
            raise UnsupportedFormat(
                f"the body is declared as {charset}; send it in UTF-8 (charset=utf-8)"
            )


async def read_body(request: Request, *, limit: int, what: str) -> bytes:
    """The request's body, refused past ``limit`` bytes without being read further.

    Raises:
        InputTooLarge: the declared or the actual length is over ``limit`` (413).
        MalformedRequest: the Content-Length header is not a number (400).
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            length = int(declared)
        except ValueError:
            raise MalformedRequest(
                f"Content-Length {declared!r} is not a number", source="the request"
            ) from None
        if length > limit:
            raise InputTooLarge(
                f"{length:,} bytes declared, more than the limit of {limit:,} bytes",
                source=what,
            )
    chunks = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise InputTooLarge(
                f"more than the limit of {limit:,} bytes sent; reading stopped", source=what
            )
        chunks.append(chunk)
    return b"".join(chunks)


@dataclass(frozen=True, slots=True)
class Operation:
    """What a protocol request asks: a query (or none: the service description) and a dataset."""

    query: str | None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    #: The formats named in the URL or the form (``format``, ``output``, ``results``: the
    #: names clients use, SPARQLWrapper all three at once), in order.
    formats: tuple[str, ...] = ()


#: The parameters that name the answer's format, as clients of other servers send them.
FORMAT_PARAMETERS = ("format", "output", "results")


def _iris(name: str, values: list[str]) -> tuple[str, ...]:
    for value in values:
        try:
            NamedNode(value)
        except ValueError:
            raise MalformedRequest(f"{value!r} is not an absolute IRI", source=name) from None
        if ":" not in value:
            raise MalformedRequest(f"{value!r} is not an absolute IRI", source=name)
    return tuple(values)


def operation(pairs: Iterable[tuple[str, str]]) -> Operation:
    """The operation of the protocol's parameters.

    Raises:
        ReadOnly: an ``update`` is given (403).
        MalformedRequest: several queries, or a dataset IRI that is not an absolute IRI (400).
    """
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        values.setdefault(name, []).append(value)
    if "update" in values or "using-graph-uri" in values or "using-named-graph-uri" in values:
        raise ReadOnly(
            "this endpoint answers queries only and never changes the data: SPARQL updates "
            "are refused"
        )
    queries = values.get("query", [])
    if len(queries) > 1:
        raise MalformedRequest(
            f"it holds {len(queries)} queries; send exactly one 'query'", source="the request"
        )
    default = _iris("default-graph-uri", values.get("default-graph-uri", []))
    named = _iris("named-graph-uri", values.get("named-graph-uri", []))
    given = bool(default or named)
    formats = tuple(f for name in FORMAT_PARAMETERS for f in values.get(name, []))
    return Operation(
        queries[0] if queries else None,
        default if given else None,
        named if given else None,
        formats,
    )


async def read_operation(request: Request, *, max_query_bytes: int) -> Operation:
    """The operation of a GET or POST to the query endpoint.

    Raises:
        ReadOnly: the request is an update (403).
        UnsupportedFormat: a POST whose body is neither a form nor a query, or not UTF-8 (415).
        InputTooLarge: the body is over the limit (413).
        MalformedRequest: several queries, no query in a POST, a body that cannot be read or
            is not UTF-8 (400).
    """
    in_url = request.query_params.multi_items()
    if request.method in ("GET", "HEAD"):
        return operation(in_url)
    media = MediaType.parse(request.headers.get("content-type"))
    if media.type == UPDATE:
        raise ReadOnly(
            "this endpoint answers queries only and never changes the data: SPARQL updates "
            "are refused"
        )
    if media.type == FORM:
        media.require_utf8()
        # A form encodes each byte of the query in up to three characters.
        body = await read_body(request, limit=3 * max_query_bytes + 4096, what="the form")
        try:
            fields = parse_qsl(
                decode_utf8(body, source="the form", refusal=MalformedRequest),
                keep_blank_values=True,
                strict_parsing=False,
                encoding="utf-8",
                errors="strict",
                max_num_fields=MAX_FIELDS,
            )
        except (UnicodeDecodeError, ValueError) as error:
            raise MalformedRequest(f"it cannot be read: {error}", source="the form") from None
        found = operation([*in_url, *fields])
    elif media.type == QUERY:
        media.require_utf8()
        body = await read_body(request, limit=max_query_bytes, what="the query")
        text = decode_utf8(body, source="the query", refusal=MalformedRequest)
        found = operation([*in_url, ("query", text)])
    else:
        shown = f"Content-Type {media.type!r}" if media.type else "no Content-Type"
        raise UnsupportedFormat(
            f"a POST to the query endpoint with {shown}: send the query as {QUERY} or as a "
            f"form ({FORM}); updates ({UPDATE}) are refused"
        )
    if found.query is None:
        raise MalformedRequest(
            "it holds no query: give the form a 'query' field", source="the request"
        )
    return found


__all__ = ["FORM", "QUERY", "UPDATE", "MediaType", "Operation", "read_body", "read_operation"]
