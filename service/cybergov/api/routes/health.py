"""``/healthz``: is the process alive, and does the store answer?"""

from __future__ import annotations

import os
import time

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from cybergov import __version__
from cybergov.api.deps import ServiceDep
from cybergov.errors import StoreError

router = APIRouter(tags=["service"])


@router.api_route(
    "/healthz/live",
    methods=["GET", "HEAD"],
    summary="Liveness: the process answers",
    response_class=JSONResponse,
)
def live() -> JSONResponse:
    """Answers as long as the process can serve a request; it does not touch the store."""
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


@router.api_route(
    "/healthz",
    methods=["GET", "HEAD"],
    summary="Readiness: the store answers, with the graph version",
    response_class=JSONResponse,
    responses={503: {"description": "The store does not answer."}},
)
def ready(service: ServiceDep) -> JSONResponse:
    """Asks the store for the graph version and its size; 503 when it cannot answer."""
    started = time.perf_counter()
    try:
        version = service.version()
        quads = service.cached("quads", lambda: len(service.store), version=version)
    except StoreError as error:
        return JSONResponse(
            {"status": "unavailable", "error": "store_unavailable", "message": str(error)},
            status_code=503,
            headers={"Cache-Control": "no-store"},
        )
    return JSONResponse(
        {
            "status": "ok",
            "store": "ok",
            "version": version,
            "quads": quads,
            "software": __version__,
            "read_only": service.settings.read_only,
            "process": os.getpid(),
            "milliseconds": round((time.perf_counter() - started) * 1000, 3),
        },
        headers={"Cache-Control": "no-store"},
    )
