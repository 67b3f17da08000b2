"""``/docs``: the OpenAPI document shown by Swagger UI, whose files the service serves
itself (from the ``swagger-ui-bundle-v2`` package): the page works offline and under the
service's Content Security Policy."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from swagger_ui_bundle import swagger_ui_path

from cybergov.api.deps import ServiceDep
from cybergov.api.render import page
from cybergov.errors import ResourceNotFound

router = APIRouter(include_in_schema=False)

#: The files of Swagger UI the page loads; nothing else of the package is served.
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


@router.get("/docs")
def docs(request: Request, service: ServiceDep) -> HTMLResponse:
    return page(request, service, "docs.html")


@router.get("/docs/assets/{name}")
def asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise ResourceNotFound(f"/docs/assets/{name} is not a file of the API's documentation")
    return FileResponse(
        Path(str(swagger_ui_path)) / name,
        media_type=ASSETS[name],
        headers={"Cache-Control": "public, max-age=86400"},
    )
