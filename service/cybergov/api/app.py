"""The FastAPI application: its lifespan, middleware, error handlers and routers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware

from cybergov import __version__
from cybergov.api.error_responses import install_error_handlers
from cybergov.api.middleware import QueryCors, SecurityHeaders
from cybergov.api.reload import watch_data
from cybergov.api.routes import ROUTERS
from cybergov.api.routes.questions import questions_router
from cybergov.api.service import start_service
from cybergov.execution import QueryRunner
from cybergov.settings import Settings
from cybergov.sparql.catalogue import Catalogue
from cybergov.store import Store

log = logging.getLogger(__name__)

DESCRIPTION = """\
The knowledge graph of cyberspace governance over HTTP: named questions with
typed parameters (`/questions`), a SPARQL 1.1 query endpoint (`/sparql`),
dereferenceable resources (`/id/...`) as pages or RDF, the ontology and the
shapes with their documentation, the dataset description and dumps of the
whole graph, and contributions of new facts (`/contributions`, with a bearer
token). Errors are JSON: `{"error": code, "message": text}`.
"""


def create_app(
    settings: Settings,
    *,
    store: Store | None = None,
    runner: QueryRunner | None = None,
    catalogue: Catalogue | None = None,
    own: bool = False,
) -> FastAPI:
    """The service for ``settings``.

    Without ``store``, the lifespan opens the store the settings name, ready to
    serve (:func:`cybergov.knowledge.ready.open_ready`: the bundled ontology,
    graph and inferences are loaded into an embedded store unless it is
    read-only); without ``runner``, it starts the query workers. A given store and runner
    are served as they are and left open, unless ``own`` hands them to the
    service, which then closes them when it stops. Every question of the
    catalogue becomes an operation of its own.

    Raises:
        HeaderError: a question of the catalogue is malformed.
    """
    catalogue = catalogue or Catalogue.load()
    start = partial(
        start_service, settings, store=store, runner=runner, catalogue=catalogue, own=own
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = await anyio.to_thread.run_sync(start)
        app.state.service = service
        watcher = asyncio.create_task(watch_data(service)) if settings.reload_data else None
        try:
            yield
        finally:
            if watcher is not None:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
            service.close()

    app = FastAPI(
        title="cybergov",
        summary="The knowledge graph of cyberspace governance",
        description=DESCRIPTION,
        version=__version__,
        lifespan=lifespan,
        license_info={"name": "Data: CC BY 4.0; software: MIT", "identifier": "CC-BY-4.0"},
    )
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app.add_middleware(QueryCors)
    app.add_middleware(SecurityHeaders)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(questions_router(catalogue, max_rows=settings.max_rows))
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.openapi = partial(openapi_document, app)  # type: ignore[method-assign]
    return app


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, each operation once: HEAD, answered wherever GET is, is left
    out (it would repeat the GET operation and its operationId)."""
    if app.openapi_schema is None:
        with warnings.catch_warnings():  # the HEAD operations repeat the GET ones' ids
            warnings.filterwarnings("ignore", message="Duplicate Operation ID")
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                license_info=app.license_info,
                routes=app.routes,
            )
        for operations in schema.get("paths", {}).values():
            operations.pop("head", None)
        app.openapi_schema = schema
    return app.openapi_schema
