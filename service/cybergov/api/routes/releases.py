"""``/releases``: the frozen releases of the graph at persistent URLs, and the change sets
between them (or from one to the live store) as RDF Patch."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response

from cybergov.api.deps import ServiceDep
from cybergov.api.routes.dumps import not_modified
from cybergov.exchange.changesets import MEDIA_TYPE, ChangeSet
from cybergov.exchange.releases import LIVE, Release
from cybergov.exchange.void import LICENCE

router = APIRouter(tags=["releases"])


def _summary(request: Request, release: Release, persistent: str) -> dict[str, Any]:
    return {
        "version": release.version,
        "date": release.date,
        "checksum": release.checksum,
        "statements": release.statements,
        "previous": release.previous,
        "url": f"{request.base_url}releases/{release.version}",
        "persistent_url": persistent,
    }


@router.get("/releases", summary="The releases of the graph, oldest first")
def releases_index(request: Request, service: ServiceDep) -> JSONResponse:
    """Each release's version, date, checksum (SHA-256 of its canonical N-Quads) and URLs."""
    kept = service.releases
    listed = [_summary(request, kept.get(v), kept.url(v)) for v in kept.versions()]
    return JSONResponse(
        {
            "licence": LICENCE,
            "latest": listed[-1]["version"] if listed else None,
            "releases": listed,
            "changes": f"{request.base_url}releases/{{from}}/changes/{{to}}",
        }
    )


@router.get("/releases/{version}", summary="One release: its manifest and files")
def release_manifest(version: str, request: Request, service: ServiceDep) -> JSONResponse:
    """The release's version, date, graph version, checksum and every file with its size,
    SHA-256, service URL and persistent URL."""
    kept = service.releases
    release = kept.get(version)
    files = [
        {
            "name": f.name,
            "media_type": f.media_type,
            "size": f.size,
            "sha256": f.sha256,
            "url": f"{request.base_url}releases/{version}/{f.name}",
            "persistent_url": kept.url(version, f.name),
        }
        | ({"format": f.format} if f.format else {})
        for f in release.files
    ]
    body = _summary(request, release, kept.url(version)) | {
        "graph_version": release.graph_version,
        "licence": LICENCE,
        "files": files,
    }
    return JSONResponse(body, headers={"ETag": f'"{release.checksum}"'})


@router.get(
    "/releases/{source}/changes/{target}",
    summary="The change set from one release to another, or to the live store",
    response_class=PlainTextResponse,
    responses={200: {"content": {MEDIA_TYPE: {}}}},
)
def release_changes(source: str, target: str, service: ServiceDep) -> Response:
    """Added and removed statements per named graph as an RDF Patch; ``target`` is a
    release or ``live``. Applied to the canonical N-Quads of ``source`` (its
    ``cybergov.canonical.nq``), it gives the lines whose SHA-256 is ``H toChecksum``."""

    def build() -> ChangeSet:
        if target == LIVE:
            return service.releases.changes(source, store=service.store)
        return service.releases.changes(source, target)

    changes = service.cached(f"changes {source} {target}", build)
    headers = {
        "ETag": f'"{changes.source_checksum[:32]}{changes.target_checksum[:32]}"',
        "Content-Disposition": f'attachment; filename="cybergov-{source}-to-{target}.rdfp"',
    }
    return Response(changes.patch(), media_type=MEDIA_TYPE, headers=headers)


@router.api_route(
    "/releases/{version}/{name:path}",
    methods=["GET", "HEAD"],
    summary="One file of a release, at its persistent URL",
    response_class=Response,
    responses={404: {"description": "No release, or no file of that name in it."}},
)
def release_file(version: str, name: str, request: Request, service: ServiceDep) -> Response:
    """A file of a release (dumps, canonical N-Quads, tables, citation, DCAT); it never
    changes, and its ETag is its SHA-256."""
    release = service.releases.get(version)
    item = release.file(name)
    etag = f'"{item.sha256}"'
    headers = {
        "ETag": etag,
        "Cache-Control": "public, max-age=31536000, immutable",
        "Repr-Digest": f"sha-256=:{base64.b64encode(bytes.fromhex(item.sha256)).decode()}:",
    }
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return FileResponse(
        release.path(name),
        media_type=item.media_type,
        headers=headers,
        filename=name.rsplit("/", maxsplit=1)[-1],
    )
