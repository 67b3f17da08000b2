"""Headers every response carries, and who may call the service from pages of other origins."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Reads are open to pages of any origin; so are queries sent by POST to /sparql.
CORS_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_QUERY_METHODS = (*CORS_METHODS, "POST")
CORS_HEADERS = ("Accept", "Accept-Encoding", "If-None-Match", "Range")
CORS_EXPOSED = (
    "ETag",
    "Link",
    "Content-Length",
    "X-Graph-Version",
    "Repr-Digest",
    "Cybergov-Results-Truncated",
)
#: The paths whose POST only reads (a query), hence open to any origin.
QUERY_PATHS = frozenset({"/sparql"})


#: The one Content Security Policy of the service, sent with every response: every script,
#: style, image and font comes from the service itself, scripts only from files (no inline
#: script, no eval), requests only to the service, forms only sent to it, and no page may
#: be framed. Pages, the API's documentation and error pages all live under it.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


#: The headers every response carries, error pages included.
SECURITY_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}


class SecurityHeaders:
    """Tell browsers never to guess a media type (a Turtle label is never run as a page),
    never to send a referrer, and to load nothing but what the service serves.

    Errors that escape the application are answered outside this middleware (by
    Starlette's outermost one); :func:`cybergov.api.error_responses.error_response` adds
    :data:`SECURITY_HEADERS` itself, so that those pages carry them too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class QueryCors:
    """CORS for any origin: reads everywhere, and POST on the query endpoint only.

    A page of another origin may read anything and send SPARQL queries by POST;
    it may never send a contribution or withdraw one: those need an
    ``Authorization`` header, which no cross-origin request is allowed to carry.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.reads = _cors(app, CORS_METHODS, CORS_HEADERS)
        self.queries = _cors(app, CORS_QUERY_METHODS, (*CORS_HEADERS, "Content-Type"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _app_path(scope) in QUERY_PATHS:
            await self.queries(scope, receive, send)
        else:
            await self.reads(scope, receive, send)


def _cors(app: ASGIApp, methods: tuple[str, ...], headers: tuple[str, ...]) -> CORSMiddleware:
    return CORSMiddleware(
        app,
        allow_origins=["*"],
        allow_methods=list(methods),
        allow_headers=list(headers),
        expose_headers=list(CORS_EXPOSED),
        max_age=86400,
    )


def _app_path(scope: Scope) -> str:
    path = str(scope.get("path", ""))
    root = str(scope.get("root_path", "")).rstrip("/")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path.rstrip("/") or "/"
