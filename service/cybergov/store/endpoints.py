"""HTTP for remote stores: the endpoints of a server, its errors, the Graph Store Protocol.

SPARQL queries and updates go through SPARQLWrapper in :mod:`cybergov.store.remote`;
what SPARQLWrapper does not do is here, on the standard library's urllib:
whole graphs written, read and dropped with the SPARQL 1.1 Graph Store HTTP
Protocol (``PUT``, ``GET``, ``DELETE`` on ``?graph=IRI``), the reading of
a response body under a deadline, and the credentials every request to the
server's endpoints carries (HTTP Basic or Digest), which are sent to those
endpoints only and never appear in a URL, a log line or an error message.
"""

from __future__ import annotations

import html
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPResponse
from typing import Literal
from urllib.parse import quote, urlsplit, urlunsplit

from cybergov.errors import QueryTimeout, SettingsError, StoreError, StoreUnavailable


@dataclass(frozen=True, slots=True)
class Endpoints:
    """The three endpoints of a SPARQL server."""

    query: str
    update: str
    graph_store: str | None

    def __post_init__(self) -> None:
        for url in (self.query, self.update, self.graph_store):
            if url is None:
                continue
            parts = urlsplit(url)
            if parts.username is not None or parts.password is not None:
                # the URL is not repeated: it holds the password
                raise SettingsError(
                    "an endpoint URL holds a user name or password; give them in "
                    "CYBERGOV_ENDPOINT_USERNAME and CYBERGOV_ENDPOINT_PASSWORD instead"
                )
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise SettingsError(f"an endpoint must be an http(s) URL, not {url!r}")

    @property
    def urls(self) -> tuple[str, ...]:
        """Every endpoint URL, once each."""
        return tuple(dict.fromkeys(u for u in (self.query, self.update, self.graph_store) if u))

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


@dataclass(frozen=True, slots=True)
class Credentials:
    """The account a remote store calls its server's endpoints as."""

    username: str
    password: str = field(repr=False)
    scheme: Literal["basic", "digest"] = "basic"


def opener(endpoints: Endpoints, credentials: Credentials | None) -> urllib.request.OpenerDirector:
    """A urllib opener that authenticates to the endpoints, and to nothing else.

    Basic credentials are sent with the first request (no round trip to be
    challenged); Digest answers the server's challenge. The password manager
    hands the credentials out for URLs under the endpoints only, so a
    redirect elsewhere does not carry them. A new opener is made for each
    request: Digest handlers keep per-exchange state.
    """
    handlers: list[urllib.request.BaseHandler] = []
    if credentials is not None:
        if credentials.scheme == "basic":
            prior = urllib.request.HTTPPasswordMgrWithPriorAuth()
            prior.add_password(
                None,
                list(endpoints.urls),
                credentials.username,
                credentials.password,
                is_authenticated=True,
            )
            handlers.append(urllib.request.HTTPBasicAuthHandler(prior))
        else:
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            manager.add_password(
                None, list(endpoints.urls), credentials.username, credentials.password
            )
            handlers.append(_DigestBeforeBody(manager))
    return urllib.request.build_opener(*handlers)


class _DigestBeforeBody(urllib.request.HTTPDigestAuthHandler):
    """Digest authentication that asks for the challenge before sending a request body.

    urllib answers a challenge by sending the request again, so a request with a
    body is sent twice, and a server that closes the connection on its 401
    before reading the body (Virtuoso does) breaks the first upload of a large
    graph. Here a request with a body is preceded by the same request without
    one; its challenge is answered in the real request.
    """

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        if req.data is None or req.has_header("Authorization"):
            return req
        if self.passwd.find_user_password(None, req.full_url) == (None, None):  # type: ignore[attr-defined]
            return req
        probe = urllib.request.Request(req.full_url, method="GET")  # noqa: S310 - http(s) only
        try:
            with urllib.request.build_opener().open(probe, timeout=req.timeout):
                return req  # no challenge: the endpoint is open
        except urllib.error.HTTPError as error:
            challenge = error.headers.get("WWW-Authenticate", "")
            error.close()
            if error.code != 401 or not challenge.lower().startswith("digest "):
                return req
        fields = urllib.request.parse_keqv_list(
            urllib.request.parse_http_list(challenge.split(" ", 1)[1])
        )
        authorization = self.get_authorization(req, fields)
        if authorization:
            req.add_unredirected_header("Authorization", f"Digest {authorization}")
        return req

    https_request = http_request


def error_text(error: urllib.error.HTTPError) -> str:
    """What an HTTP error answer says, in plain text (tags of an HTML page removed)."""
    text = error.read()[:4000].decode("utf-8", "replace")
    if text.lstrip()[:1] == "<":
        text = re.sub(r"<title>.*?</title>|<[^>]*>", " ", text, flags=re.DOTALL | re.IGNORECASE)
        text = html.unescape(text)
    return " ".join(text.split())[:500]


def http_error(error: urllib.error.HTTPError, what: str, *, detail: str | None = None) -> Exception:
    """The cybergov error for an HTTP error answer to a request about ``what`` (``detail``:
    its body as :func:`error_text` read it, when it was read already)."""
    body = error_text(error) if detail is None else detail
    if error.code in (408, 503, 504) and what == "query":
        return QueryTimeout(f"the server gave up on the query (HTTP {error.code}): {body}")
    if error.code in (401, 403):
        return StoreError(
            f"the server refused the {what} (HTTP {error.code}): the account is not allowed to "
            "do it, or the credentials are missing or wrong (CYBERGOV_ENDPOINT_USERNAME, "
            "CYBERGOV_ENDPOINT_PASSWORD, CYBERGOV_ENDPOINT_AUTH)" + (f": {body}" if body else "")
        )
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

    def __init__(
        self,
        endpoint: str,
        *,
        timeout: float,
        open: Callable[[], urllib.request.OpenerDirector] = urllib.request.build_opener,
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self._open = open

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
            with self._open().open(request, timeout=self.timeout) as response:
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
