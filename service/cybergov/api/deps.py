"""The typed dependencies of the routes: the service, its store and its settings."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Query, Request

from cybergov.api.service import Service
from cybergov.settings import Settings
from cybergov.store import Store


async def get_service(request: Request) -> Service:
    """The state of this service process, made by the lifespan.

    The dependencies are coroutines because they do not block: FastAPI would
    otherwise hand each of them to a worker thread.
    """
    return cast(Service, request.app.state.service)


ServiceDep = Annotated[Service, Depends(get_service)]


async def get_store(service: ServiceDep) -> Store:
    return service.store


async def get_settings(service: ServiceDep) -> Settings:
    return service.settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

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
