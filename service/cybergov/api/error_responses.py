"""One table from cybergov's exceptions to HTTP statuses, and the handlers that use it.

Every error leaves the service as JSON, ``{"error": code, "message": text}``
(or, for a client that prefers HTML, a small page saying the same), never as
a stack trace. Unexpected exceptions are logged here and answered with a 500
that says nothing of the code, and with ``Connection: close``: after a failure the
server does not trust the connection's state, and says so rather than reset it.
Every error response carries the security headers (:data:`SECURITY_HEADERS`), also
those answered outside the middleware.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from html import escape
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from cybergov import errors
from cybergov.api.middleware import SECURITY_HEADERS
from cybergov.api.negotiation import HTML, JSON, negotiate

log = logging.getLogger(__name__)

#: The HTTP status and error code of each cybergov exception; the closest class wins.
STATUS: dict[type[errors.CybergovError], tuple[int, str]] = {
    errors.AuthenticationRequired: (401, "unauthorized"),
    errors.ReadOnly: (403, "read_only"),
    errors.AccessDenied: (403, "forbidden"),
    errors.ResourceNotFound: (404, "not_found"),
    errors.QueryNotFound: (404, "not_found"),
    errors.NotAcceptable: (406, "not_acceptable"),
    errors.ContributionWithdrawn: (410, "withdrawn"),
    errors.ContributionDuplicate: (409, "duplicate"),
    errors.QuerySyntaxError: (400, "query_syntax_error"),
    errors.QueryRefused: (400, "query_refused"),
    errors.QueryEvaluationError: (400, "query_evaluation_error"),
    errors.QueryParameterError: (422, "invalid_parameter"),
    # A query stopped at its deadline: the service is up, but will not finish this query.
    errors.QueryTimeout: (503, "query_timeout"),
    errors.QueryStopped: (503, "query_stopped"),
    errors.QueryError: (400, "query_error"),
    errors.UnsupportedFormat: (415, "unsupported_media_type"),
    errors.InputTooLarge: (413, "payload_too_large"),
    errors.MalformedRequest: (400, "bad_request"),
    errors.OutsideNamespace: (422, "outside_namespace"),
    errors.InputRejected: (400, "input_refused"),
    errors.RdfSyntaxError: (400, "rdf_syntax_error"),
    errors.ImportInputError: (400, "import_unreadable"),
    errors.ContributionRejected: (422, "contribution_rejected"),
    errors.WriteTimeout: (503, "write_timeout"),
    errors.QuotaExceeded: (429, "too_many_requests"),
    errors.QueueTimeout: (503, "queue_timeout"),
    errors.Overloaded: (503, "overloaded"),
    errors.StoreUnavailable: (503, "store_unavailable"),
    errors.ServiceStopping: (503, "service_stopping"),
    errors.StoreError: (500, "store_error"),
    errors.ExportError: (500, "export_error"),
    errors.CybergovError: (500, "internal_error"),
}

#: Codes for the statuses the framework raises by itself.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
    500: "internal_error",
    503: "service_unavailable",
}

_HIDDEN = "the service failed to answer; the error has been logged"
_UNAVAILABLE = "the store behind this service does not answer; try again shortly"
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{status} {code}</title>
<link rel="stylesheet" href="{root}/static/cybergov.css"></head>
<body><main><h1>{status}: {title}</h1><p>{message}</p>
<p><a href="{root}/">cybergov</a></p></main></body></html>
"""


def status_of(error: errors.CybergovError) -> tuple[int, str]:
    """The status and code of an exception, from the nearest class of the table."""
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500, "internal_error"


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """The error as JSON, or as a small HTML page when the client prefers HTML, with the
    security headers; a 500 also closes the connection."""
    headers = {**SECURITY_HEADERS, **(headers or {}), "Vary": "Accept"}
    if status == 500:
        headers["Connection"] = "close"
    try:
        wants = negotiate(request.headers.get("accept"), (JSON, HTML))
    except errors.NotAcceptable:
        wants = JSON
    if wants is HTML:
        page = _PAGE.format(
            status=status,
            code=escape(code),
            title=escape(code.replace("_", " ")),
            message=escape(message),
            root=escape(request.scope.get("root_path", "")),
        )
        return HTMLResponse(page, status_code=status, headers=headers)
    body: dict[str, Any] = {"error": code, "message": message, **(extra or {})}
    return JSONResponse(body, status_code=status, headers=headers)


#: What a client without a valid token is told to send (RFC 6750).
CHALLENGE = 'Bearer realm="cybergov"'


def details(error: errors.CybergovError) -> tuple[dict[str, Any], dict[str, str]]:
    """The members an error adds to its JSON body, and the headers it adds to the response."""
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if isinstance(error, errors.NotAcceptable) and error.offered:
        extra["offered"] = list(error.offered)
    if isinstance(error, errors.QuerySyntaxError | errors.RdfSyntaxError) and error.line:
        extra["line"], extra["column"] = error.line, error.column
    if isinstance(error, errors.ContributionRejected) and error.report is not None:
        extra["report"] = error.report.as_json()
        extra["text"] = error.report.to_text()
    if isinstance(error, errors.ContributionDuplicate):
        extra["existing"] = error.existing
    if isinstance(error, errors.Overloaded):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, errors.AuthenticationRequired):
        headers["WWW-Authenticate"] = CHALLENGE
    if isinstance(error, errors.ServiceStopping):
        headers["Retry-After"] = "5"
        headers["Connection"] = "close"
    return extra, headers


async def cybergov_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, errors.CybergovError)
    status, code = status_of(error)
    if isinstance(error, errors.StoreUnavailable):  # the message would name internal hosts
        log.error("%s %s: %s", request.method, request.url.path, error)
        return error_response(request, status, code, _UNAVAILABLE, headers={"Retry-After": "5"})
    if status >= 500 and not isinstance(
        error,
        errors.QueryTimeout | errors.QueryStopped | errors.Overloaded | errors.ServiceStopping,
    ):
        log.error("%s %s failed: %s", request.method, request.url.path, error, exc_info=error)
        return error_response(request, status, code, _HIDDEN)
    extra, headers = details(error)
    return error_response(request, status, code, str(error), extra=extra, headers=headers)


#: The methods a route may answer, in the order ``Allow`` lists them.
_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the application answers on the request's path (Starlette
    names only those of the first route whose path matches): each method is tried on the
    routes as a request of that method would be. Files (mounts, which take any method) are
    left to their own answer."""
    routes = request.app.router.routes
    allowed = []
    for method in _METHOD_ORDER:
        scope = {**request.scope, "method": method}
        for route in routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                if isinstance(route, Mount):
                    return []
                allowed.append(method)
                break
    return allowed


async def http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    code = HTTP_CODES.get(error.status_code, "error")
    message = error.detail if isinstance(error.detail, str) else code.replace("_", " ")
    headers = dict(error.headers or {})
    if error.status_code == 404 and error.detail == "Not Found":
        message = f"there is nothing at {request.url.path}"
    elif error.status_code == 405:
        allowed = allowed_methods(request)
        if allowed:
            headers["Allow"] = ", ".join(allowed)
        if error.detail == "Method Not Allowed":
            message = f"{request.method} is not allowed on {request.url.path}" + (
                f"; it answers {', '.join(allowed)}" if allowed else ""
            )
    return error_response(request, error.status_code, code, message, headers=headers)


#: What the paging parameters of the API expect (the problem names the operation's bounds).
PAGING = {
    "limit": "a whole number of rows",
    "offset": "a whole number of rows to skip",
}


def expected(request: Request, location: tuple[Any, ...]) -> str | None:
    """What a query parameter expects, for a problem with that parameter: a question's
    parameter from its header, a paging parameter from :data:`PAGING`."""
    if len(location) != 2 or location[0] != "query":
        return None
    if location[1] in PAGING:
        return PAGING[location[1]]
    question = getattr(request.scope.get("endpoint"), "question", None)
    if question is None:
        return None
    for parameter in question.params:
        if parameter.name == location[1]:
            return f"{parameter.type_text()}, for example {parameter.example}"
    return None


async def validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    problems = []
    for item in error.errors():
        location = tuple(item.get("loc", ()))
        problem: dict[str, str] = {
            "where": ".".join(str(part) for part in location),
            "problem": str(item.get("msg", "")),
        }
        wanted = expected(request, location)
        if wanted:
            problem["expected"] = wanted
        problems.append(problem)
    message = "; ".join(
        f"{p['where']}: {p['problem']}"
        + (f" (expected {p['expected']})" if "expected" in p else "")
        for p in problems
    )
    return error_response(
        request, 422, "invalid_request", message or "invalid request", extra={"details": problems}
    )


async def unexpected_error(request: Request, error: Exception) -> Response:
    log.error("%s %s failed", request.method, request.url.path, exc_info=error)
    return error_response(request, 500, "internal_error", _HIDDEN)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers: cybergov errors by the table, HTTP and validation errors, the rest."""
    app.add_exception_handler(errors.CybergovError, cybergov_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected_error)
