"""``/taxii2/``: a read-only TAXII 2.1 server (OASIS TAXII 2.1, sections 4 and 5) over the
STIX objects of the curated graph and of each import, one handler per endpoint.

Every answer is ``application/taxii+json;version=2.1``; errors are TAXII error messages
(section 3.6.1). Reading needs a token only when ``CYBERGOV_TAXII_TOKENS`` names some.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from cybergov.api.auth import taxii_reader
from cybergov.api.deps import ServiceDep
from cybergov.api.error_responses import status_of
from cybergov.api.routes.stix import stix_export
from cybergov.api.service import Service
from cybergov.errors import AccessDenied, CybergovError, NotAcceptable, ResourceNotFound
from cybergov.exchange.taxii import (
    TAXII_MEDIA_TYPE,
    Collection,
    Entry,
    Filters,
    Page,
    collections,
    entries,
    page,
)

router = APIRouter(prefix="/taxii2", tags=["STIX and TAXII"])
API_ROOT = "cybergov"
_ACCEPTED = ("application/taxii+json", "application/json", "application/*", "*/*")


def taxii_json(
    body: dict[str, Any], *, status: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=TAXII_MEDIA_TYPE, headers=headers)


def failure(error: CybergovError) -> JSONResponse:
    """A TAXII error message (section 3.6.1) for an error."""
    status, code = status_of(error)
    headers = {"WWW-Authenticate": 'Bearer realm="taxii", Basic realm="taxii"'}
    return taxii_json(
        {"title": code.replace("_", " "), "description": str(error), "http_status": str(status)},
        status=status,
        headers=headers if status == 401 else None,
    )


def answer(request: Request, service: Service, build: Callable[[], Response]) -> Response:
    """What ``build`` answers, once the request's Accept and token pass; errors as TAXII's.

    A client that accepts neither TAXII 2.1 nor JSON is answered 406 (section 1.6.8).
    """
    try:
        accept = request.headers.get("accept", "*/*").lower()
        wanted = [part.split(";")[0].strip() for part in accept.split(",")]
        version = [p for p in accept.replace(" ", "").split(";") if p.startswith("version=")]
        if not set(wanted) & set(_ACCEPTED) or (version and "version=2.1" not in version):
            raise NotAcceptable("this server answers application/taxii+json;version=2.1")
        taxii_reader(request, service.settings.taxii_tokens)
        return build()
    except CybergovError as error:
        return failure(error)


def collection_of(service: Service, collection_id: str) -> Collection:
    found = next((c for c in collections(service.store) if c.id == collection_id), None)
    if found is None:
        raise ResourceNotFound(f"there is no collection {collection_id!r} on this server")
    return found


def entries_of(service: Service, collection: Collection) -> list[Entry]:
    """The entries of a collection, made once per graph version."""
    version = service.version()
    return service.cached(
        f"taxii {collection.graph}",
        lambda: entries(stix_export(service, collection.graph)),
        version=version,
    )


def requested_page(request: Request, items: list[Entry]) -> Page:
    filters = Filters.parse(request.query_params.multi_items())
    limit = request.query_params.get("limit")
    try:
        size = int(limit) if limit is not None else None
    except ValueError:
        size = 0
    return page(filters.keep(items), limit=size, after=request.query_params.get("next"))


def held(service: Service, collection_id: str, object_id: str) -> list[Entry]:
    """The versions of one object of a collection (one: the collection keeps the current).

    Raises:
        ResourceNotFound: no such collection, or it holds no such object.
    """
    found = [
        e for e in entries_of(service, collection_of(service, collection_id)) if e.id == object_id
    ]
    if not found:
        raise ResourceNotFound(f"the collection holds no object {object_id!r}")
    return found


def envelope(chosen: Page, key: str, values: list[Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"more": chosen.more}
    if chosen.next:
        body["next"] = chosen.next
    if values:
        body[key] = values
    return body


@router.get("/", summary="TAXII 2.1 discovery (section 4.1)")
def discovery(request: Request, service: ServiceDep) -> Response:
    root = f"{request.base_url}taxii2/{API_ROOT}/"
    body = {
        "title": "cybergov TAXII 2.1 server",
        "description": "The STIX 2.1 objects of the knowledge graph of cyberspace governance, "
        "read-only.",
        "default": root,
        "api_roots": [root],
    }
    return answer(request, service, lambda: taxii_json(body))


@router.get(f"/{API_ROOT}/", summary="The API root (section 4.2)")
def api_root(request: Request, service: ServiceDep) -> Response:
    body = {
        "title": "cybergov",
        "description": "One collection for the curated graph, one for each import's graph.",
        "versions": [TAXII_MEDIA_TYPE],
        "max_content_length": 0,
    }
    return answer(request, service, lambda: taxii_json(body))


@router.get(f"/{API_ROOT}/collections/", summary="The collections (section 5.1)")
def collection_list(request: Request, service: ServiceDep) -> Response:
    return answer(
        request,
        service,
        lambda: taxii_json({"collections": [c.resource() for c in collections(service.store)]}),
    )


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/", summary="A collection (5.2)")
def collection(collection_id: str, request: Request, service: ServiceDep) -> Response:
    return answer(
        request, service, lambda: taxii_json(collection_of(service, collection_id).resource())
    )


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/manifest/", summary="Manifest (5.3)")
def manifest(collection_id: str, request: Request, service: ServiceDep) -> Response:
    """The manifest records of the collection's objects, filtered and paged."""

    def build() -> Response:
        chosen = requested_page(request, entries_of(service, collection_of(service, collection_id)))
        body = envelope(chosen, "objects", [e.manifest() for e in chosen.items])
        return taxii_json(body, headers=chosen.headers())

    return answer(request, service, build)


@router.get(f"/{API_ROOT}/collections/{{collection_id}}/objects/", summary="Objects (5.4)")
def objects(collection_id: str, request: Request, service: ServiceDep) -> Response:
    """The collection's objects in an envelope, with ``added_after``, ``match[...]``,
    ``limit`` and ``next``."""

    def build() -> Response:
        chosen = requested_page(request, entries_of(service, collection_of(service, collection_id)))
        body = envelope(chosen, "objects", [e.body for e in chosen.items])
        return taxii_json(body, headers=chosen.headers())

    return answer(request, service, build)


@router.api_route(
    f"/{API_ROOT}/collections/{{collection_id}}/objects/",
    methods=["POST"],
    summary="Adding objects: refused, the collections are read-only (5.5)",
    include_in_schema=False,
)
def add_objects(collection_id: str, request: Request, service: ServiceDep) -> Response:
    def build() -> Response:
        collection_of(service, collection_id)
        raise AccessDenied("this collection is read-only (can_write is false)")

    return answer(request, service, build)


@router.get(
    f"/{API_ROOT}/collections/{{collection_id}}/objects/{{object_id}}/", summary="An object (5.6)"
)
def one_object(
    collection_id: str, object_id: str, request: Request, service: ServiceDep
) -> Response:
    def build() -> Response:
        chosen = requested_page(request, held(service, collection_id, object_id))
        body = envelope(chosen, "objects", [e.body for e in chosen.items])
        return taxii_json(body, headers=chosen.headers())

    return answer(request, service, build)


@router.get(
    f"/{API_ROOT}/collections/{{collection_id}}/objects/{{object_id}}/versions/",
    summary="An object's versions (5.8)",
)
def versions(collection_id: str, object_id: str, request: Request, service: ServiceDep) -> Response:
    def build() -> Response:
        chosen = requested_page(request, held(service, collection_id, object_id))
        body = envelope(chosen, "versions", [e.version for e in chosen.items])
        return taxii_json(body, headers=chosen.headers())

    return answer(request, service, build)


@router.get(f"/{API_ROOT}/status/{{status_id}}/", summary="A status (section 4.3)")
def status(status_id: str, request: Request, service: ServiceDep) -> Response:
    """Statuses report on objects added; nothing is added to these read-only collections, so
    there is no status to give."""

    def build() -> Response:
        raise ResourceNotFound(f"there is no status {status_id!r}: this server adds no objects")

    return answer(request, service, build)
