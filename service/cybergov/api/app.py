"""The FastAPI application: its lifespan, middleware, error handlers and routers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware

from cybergov import __version__
from cybergov.api.errors import install_error_handlers
from cybergov.api.middleware import SecurityHeaders
from cybergov.api.reload import watch_data
from cybergov.api.routes import ROUTERS
from cybergov.api.service import start_service
from cybergov.settings import Settings
from cybergov.store import Store

log = logging.getLogger(__name__)

#: Reads are open to pages of any origin; nothing else is allowed across origins.
CORS_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_EXPOSED = ("ETag", "Link", "Content-Length", "X-Graph-Version", "Repr-Digest")

DESCRIPTION = """\
The knowledge graph of cyberspace governance over HTTP: dereferenceable
resources (`/id/...`) as pages or RDF, the ontology and the shapes with their
documentation, the dataset description and dumps of the whole graph.
Errors are JSON: `{"error": code, "message": text}`.
"""


def create_app(settings: Settings, *, store: Store | None = None) -> FastAPI:
    """The service for ``settings``.

    Without ``store``, the lifespan opens the store the settings name and loads
    the bundled ontology, graph and inferences into it (unless read-only); a
    given store is served as it is and left open.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = await anyio.to_thread.run_sync(partial(start_service, settings, store=store))
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
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=list(CORS_METHODS),
        allow_headers=["Accept", "Accept-Encoding", "If-None-Match", "Range"],
        expose_headers=list(CORS_EXPOSED),
        max_age=86400,
    )
    app.add_middleware(SecurityHeaders)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    return app
