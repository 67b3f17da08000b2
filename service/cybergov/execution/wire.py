"""The messages between the query runner and its worker processes.

Frames are a four-byte length and a body. A request goes from the runner
(trusted) to a worker and is pickled; an answer comes back as a small JSON
header and the result in a standard serialisation (SPARQL TSV results for
solutions, N-Triples for graphs), which the runner parses with pyoxigraph, so
that nothing from a worker is ever unpickled.
"""

from __future__ import annotations

import json
import pickle
import socket
import struct
import time
from dataclasses import dataclass
from typing import Any

from pyoxigraph import (
    QueryResultsFormat,
    RdfFormat,
    parse,
    parse_query_results,
)

from cybergov.errors import (
    QueryEvaluationError,
    QueryStopped,
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
)
from cybergov.store.base import QueryAnswer, Solutions, Triples, collect_solutions
from cybergov.store.embedded import evaluation_error

_LENGTH = struct.Struct(">I")
MAX_FRAME = 1 << 31


@dataclass(frozen=True, slots=True)
class Request:
    """One query for a worker."""

    sparql: str
    max_rows: int | None = None
    default_graphs: tuple[str, ...] | None = None
    """The default graph given with the query (the protocol's ``default-graph-uri``)."""
    named_graphs: tuple[str, ...] | None = None
    """The named graphs given with the query (the protocol's ``named-graph-uri``)."""
    union: bool = True
    """Whether the default graph is the union of the named graphs (no FROM in the query)."""
    seconds: float = 10.0
    base_iri: str | None = None
    """The IRI relative IRIs of the query are resolved against (the service's public base)."""
    output: str | None = None
    """A results format (``json``, ``xml``, ``csv``, ``tsv``) to write a SELECT or ASK
    answer in, in the worker; ``None`` for the answer as terms."""
    max_bytes: int | None = None
    """Bytes of the answer past which it is cut (as at the row cap)."""
    nice: int = 0
    """A niceness the worker takes before it runs the query (and keeps: it then ends, and
    is replaced), so that ad-hoc SPARQL yields the processor to the questions."""

    def encode(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def decode(data: bytes) -> Request:
        request = pickle.loads(data)  # noqa: S301 - written by the runner that started us
        if not isinstance(request, Request):
            raise TypeError("not a query request")
        return request


@dataclass(frozen=True, slots=True)
class Serialised:
    """A SELECT or ASK answer already written in a SPARQL results format, as the engine
    wrote it (no terms are made in this process); ``truncated`` when cut at the row cap."""

    body: bytes
    format: str
    """The results format: ``json``, ``xml``, ``csv`` or ``tsv``."""
    truncated: bool
    boolean: bool
    """Whether it answers an ASK query (a boolean), not a SELECT one (rows)."""


class WorkerGone(Exception):
    """The worker closed its end (it crashed, was killed or stopped)."""


def send_frame(sock: socket.socket, body: bytes) -> None:
    sock.sendall(_LENGTH.pack(len(body)) + body)


def _recv_exactly(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    buffer = bytearray(size)
    view = memoryview(buffer)
    received = 0
    while received < size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            sock.settimeout(remaining)
        count = sock.recv_into(view[received:])
        if count == 0:
            raise WorkerGone
        received += count
    return bytes(buffer)


def recv_frame(sock: socket.socket, *, deadline: float | None = None) -> bytes:
    """Read one frame; ``TimeoutError`` past the deadline, :class:`WorkerGone` on EOF."""
    (size,) = _LENGTH.unpack(_recv_exactly(sock, _LENGTH.size, deadline))
    if size > MAX_FRAME:
        raise WorkerGone
    return _recv_exactly(sock, size, deadline)


def answer_frame(header: dict[str, Any], payload: bytes = b"") -> bytes:
    """An answer: the header's length, the JSON header, the payload."""
    encoded = json.dumps(header, separators=(",", ":")).encode()
    return _LENGTH.pack(len(encoded)) + encoded + payload


def decode_answer(frame: bytes) -> QueryAnswer | Serialised:
    """Turn a worker's answer into a cybergov answer, or raise the error it reports.

    Raises:
        QuerySyntaxError: the engine could not parse the query.
        QueryEvaluationError: the engine refused to evaluate it (see
            :func:`cybergov.store.embedded.evaluation_error`).
        QueryTimeout: the engine stopped the query itself.
        StoreError: the engine failed, or the answer is malformed.
    """
    try:
        (size,) = _LENGTH.unpack_from(frame)
        header = json.loads(frame[_LENGTH.size : _LENGTH.size + size])
        payload = frame[_LENGTH.size + size :]
        kind = header["kind"]
        if kind == "boolean":
            return bool(header["value"])
        if kind == "solutions":
            parsed = parse_query_results(payload, QueryResultsFormat.TSV)
            solutions = collect_solutions(parsed, None)  # type: ignore[arg-type]
            return Solutions(solutions.variables, solutions.rows, bool(header["truncated"]))
        if kind == "serialised":
            return Serialised(
                payload, str(header["format"]), bool(header["truncated"]), bool(header["boolean"])
            )
        if kind == "triples":
            triples = Triples(quad.triple for quad in parse(payload, RdfFormat.N_TRIPLES))
            triples.truncated = bool(header["truncated"])
            return triples
        if kind == "error":
            raise _error(header)
    except MemoryError as error:  # a value past the engine's buffer, read back here
        refused = evaluation_error(error)
        if refused is None:
            raise
        raise refused from error
    except (KeyError, ValueError, SyntaxError, struct.error) as error:
        raise StoreError(f"a query worker sent an answer that cannot be read: {error}") from error
    raise StoreError(f"a query worker sent an answer of unknown kind {kind!r}")


def _error(header: dict[str, Any]) -> Exception:
    message = str(header.get("message", "unknown error"))
    if header.get("type") == "syntax":
        line, column = header.get("line"), header.get("column")
        return QuerySyntaxError(message, line=line, column=column)
    if header.get("type") == "timeout":
        return QueryTimeout(message)
    if header.get("type") == "memory":
        return QueryStopped(message)
    if header.get("type") == "evaluation":
        return QueryEvaluationError(message)
    return StoreError(message)
