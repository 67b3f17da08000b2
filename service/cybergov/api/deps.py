"""The typed dependencies of the routes: the service, and the ``format`` parameter."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Query, Request

from cybergov.api.service import Service


async def get_service(request: Request) -> Service:
    """The state of this service process, made by the lifespan.

    The dependencies are coroutines because they do not block: FastAPI would
    otherwise hand each of them to a worker thread.
    """
    return cast(Service, request.app.state.service)


ServiceDep = Annotated[Service, Depends(get_service)]


FormatParam = Annotated[
    str | None,
    Query(
        alias="format",
        description=(
            "The representation, overriding Accept: html, ttl, jsonld, nt, rdf, trig, nq "
            "(or a media type)."
        ),
        examples=["ttl"],
    ),
]


def public_url(request: Request, path: str) -> str:
    """The absolute URL of ``path`` (``/sparql``, ``/`` for the service itself): made from
    the public base of the settings (``CYBERGOV_PUBLIC_BASE``), never from the request's
    ``Host`` header, which the client chooses."""
    return cast(Service, request.app.state.service).settings.base_url() + path
