"""``/imports``: bring a tracker's export into the graph, list the imports, withdraw one.

For admin tokens only. ``POST /imports/{source}`` takes the file as the request body
(``?name=`` names the import, ``?filename=`` the file; a CFR export as ``text/csv``, a
STIX bundle or a MISP cluster as ``application/json``) and answers with the import's
report, as the command line writes it (``--report``). ``GET /imports`` lists the imports
with their provenance and counts; ``DELETE /imports/{id}`` removes one and what was
derived from it.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from cybergov.api.auth import Administrator
from cybergov.api.deps import ServiceDep
from cybergov.api.protocol import read_body
from cybergov.importers.run import list_imports

router = APIRouter(tags=["imports"])


@router.post(
    "/imports/{source}",
    summary="Import a tracker's export",
    response_class=JSONResponse,
    responses={
        200: {"description": "The report: imported, or unchanged (nothing written)."},
        400: {"description": "The file cannot be read as an export of that source."},
        401: {"description": "No bearer token."},
        403: {"description": "The token is not an admin's, or the service is read-only."},
        404: {"description": "No importer reads that source."},
        413: {"description": "Larger than the limit (checked before reading)."},
    },
)
async def import_file(
    source: str,
    request: Request,
    *,
    service: ServiceDep,
    admin: Administrator,
    name: Annotated[str | None, Query(description="Name of the import.")] = None,
    filename: Annotated[str | None, Query(description="Name of the file sent.")] = None,
) -> JSONResponse:
    """Import the file in the body as ``graph/import/<source>/<name>``: every row the
    tracker's claim, matched to the curated graph, validated against the shapes, in one
    transaction; the report says what was made, matched, listed for review and refused."""
    data = await read_body(request, limit=service.settings.max_import_bytes, what="the file")
    run = partial(
        service.import_file, source, data, filename=filename or f"{source}-upload", name=name
    )
    report = await anyio.to_thread.run_sync(run)
    return JSONResponse(report.as_json(), headers={"Cache-Control": "no-store"})


@router.get("/imports", summary="The imports", response_class=JSONResponse)
def imports(service: ServiceDep, admin: Administrator) -> JSONResponse:
    """Every import with its source, file, SHA-256, importer version, time and counts."""
    records = [
        {
            "id": r.id,
            "source": r.source,
            "name": r.name,
            "graph": r.graph,
            "file": r.file,
            "sha256": r.sha256,
            "importer_version": r.importer_version,
            "imported": r.imported,
            "counts": {
                "made": r.counts.made,
                "matched": r.counts.matched,
                "review": r.counts.review,
                "refused": r.counts.refused,
                "triples": r.counts.triples,
            },
        }
        for r in list_imports(service.store)
    ]
    return JSONResponse(
        {"count": len(records), "imports": records}, headers={"Cache-Control": "no-store"}
    )


@router.delete(
    "/imports/{identifier}",
    summary="Withdraw an import",
    response_class=JSONResponse,
    responses={404: {"description": "No import has that identifier."}},
)
async def withdraw(identifier: str, service: ServiceDep, admin: Administrator) -> JSONResponse:
    """Remove exactly the import's graph and description, and what was derived from it."""
    added, removed = await anyio.to_thread.run_sync(service.withdraw_import, identifier)
    return JSONResponse({"id": identifier, "withdrawn": True,
                         "derived": {"added": added, "removed": removed}})  # fmt: skip
