"""HTTP for remote stores: the endpoints of a server, its errors, the Graph Store Protocol.

SPARQL queries and updates go through SPARQLWrapper in :mod:`cybergov.store.remote`;
what SPARQLWrapper does not do is here, on the standard library's urllib:
whole graphs written, read and dropped with the SPARQL 1.1 Graph Store HTTP
Protocol (``PUT``, ``GET``, ``DELETE`` on ``?graph=IRI``), and the reading of
a response body under a deadline.
"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPResponse
from urllib.parse import quote, urlsplit, urlunsplit

from cybergov.errors import QueryTimeout, StoreError, StoreUnavailable


@dataclass(frozen=True, slots=True)
class Endpoints:
    """The three endpoints of a SPARQL server."""

    query: str
    update: str
    graph_store: str | None

    @classmethod
    def derive(
        cls, url: str, *, update: str | None = None, graph_store: str | None = None
    ) -> Endpoints:
        """The endpoints of a server from its query endpoint (or its base URL).

        A URL without a path, or whose path ends with ``/query``, is read as
        Oxigraph's layout (``/query``, ``/update``, ``/store``); any other URL
        is used for queries and updates alike, with no Graph Store endpoint
        unless one is given.
        """
        parts = urlsplit(url)
        path = parts.path.rstrip("/")
        if path == "" or path.endswith("/query"):
            root = path.removesuffix("/query")

            def at(name: str) -> str:
                return urlunsplit(parts._replace(path=f"{root}/{name}"))

            return cls(at("query"), update or at("update"), graph_store or at("store"))
        return cls(url, update or url, graph_store)


def http_error(error: urllib.error.HTTPError, what: str) -> Exception:
    """The cybergov error for an HTTP error answer to a request about ``what``."""
    body = error.read()[:500].decode("utf-8", "replace").strip()
    if error.code in (408, 503, 504) and what == "query":
        return QueryTimeout(f"the server gave up on the query (HTTP {error.code}): {body}")
    return StoreError(f"the server refused the {what} (HTTP {error.code}): {body}")


class DeadlineReader:
    """A response body that stops with QueryTimeout once the deadline has passed."""

    def __init__(self, response: HTTPResponse, deadline: float) -> None:
        self.response = response
        self.deadline = deadline

    def read(self, size: int = -1) -> bytes:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise QueryTimeout("the server did not answer before the query's deadline")
        sock = getattr(getattr(getattr(self.response, "fp", None), "raw", None), "_sock", None)
        if isinstance(sock, socket.socket):
            sock.settimeout(remaining)
        try:
            return self.response.read(size)
        except TimeoutError as error:
            raise QueryTimeout("the server did not answer before the query's deadline") from error


class GraphStore:
    """A client of a Graph Store Protocol endpoint.

    Args:
        endpoint: the endpoint's URL (Oxigraph: ``http://HOST:7878/store``).
        timeout: seconds a transfer may take.
    """

    def __init__(self, endpoint: str, *, timeout: float) -> None:
        self.endpoint = endpoint
        self.timeout = timeout

    def request(
        self, method: str, graph: str, *, body: bytes | None = None, accept: str | None = None
    ) -> bytes | None:
        """One request about a graph; its body, or ``None`` when the graph does not exist.

        Raises:
            StoreUnavailable: the endpoint cannot be reached.
            StoreError: the endpoint refused the request.
        """
        url = f"{self.endpoint}?graph={quote(graph, safe='')}"
        request = urllib.request.Request(url, data=body, method=method)  # noqa: S310 - http(s) only
        if body is not None:
            request.add_header("Content-Type", "application/n-triples")
        if accept:
            request.add_header("Accept", accept)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                data: bytes = response.read()
                return data
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise http_error(error, f"{method} of <{graph}>") from error
        except (urllib.error.URLError, OSError) as error:
            raise StoreUnavailable(
                f"cannot reach the Graph Store endpoint {self.endpoint}: {error}"
            ) from error
