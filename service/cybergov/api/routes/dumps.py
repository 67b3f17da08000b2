"""``/dumps``: the whole graph in five formats, gzipped on request, each with its size and
SHA-256; the files are written once per graph version and served from disk."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response

from cybergov.api.deps import DumpsFormatParam, ServiceDep, public_url
from cybergov.api.negotiation import HTML, JSON, Representation, choose
from cybergov.api.render import page
from cybergov.api.service import Service
from cybergov.errors import ResourceNotFound
from cybergov.exchange.codebook import DATAPACKAGE_FILENAME
from cybergov.exchange.dumps import DUMP_FORMATS, Dump, DumpFormat, dump_format
from cybergov.exchange.tables import ZIP_FILENAME, TableFile
from cybergov.exchange.void import LICENCE, dump_url

router = APIRouter(tags=["dumps and dataset"])

DUMP_REPRESENTATIONS = tuple(
    Representation(f.key, f.label, f.media_type, f.extension, f.rdf_format) for f in DUMP_FORMATS
)
INDEX_OFFERS = (JSON, HTML, *DUMP_REPRESENTATIONS)


def accepts_gzip(header: str | None) -> bool:
    """Whether an ``Accept-Encoding`` header allows gzip (``gzip;q=0`` refuses it)."""
    allowed: dict[str, float] = {}
    for part in (header or "").split(","):
        name, *parameters = (field.strip() for field in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if name:
            allowed[name.lower()] = quality
    if "gzip" in allowed:
        return allowed["gzip"] > 0
    return allowed.get("*", 0.0) > 0


def not_modified(request: Request, etag: str) -> bool:
    given = request.headers.get("if-none-match")
    if not given:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in given.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


def send_dump(request: Request, dump: Dump, *, packed_file: bool) -> Response:
    """A dump file; the plain one is sent gzipped (``Content-Encoding``) when the client allows."""
    encoded = not packed_file and accepts_gzip(request.headers.get("accept-encoding"))
    file = dump.file(compressed=packed_file or encoded)
    etag = f'"{file.sha256}"'
    headers = {
        "ETag": etag,
        "Cache-Control": "no-cache",
        "X-Graph-Version": dump.version,
        "Repr-Digest": f"sha-256=:{base64.b64encode(bytes.fromhex(file.sha256)).decode()}:",
        "Vary": "Accept, Accept-Encoding",
    }
    if encoded:
        headers["Content-Encoding"] = "gzip"
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return FileResponse(
        file.path,
        media_type="application/gzip" if packed_file else dump.format.media_type,
        headers=headers,
        filename=file.name,
    )


def dump_entry(request: Request, dump: Dump) -> dict[str, Any]:
    base = public_url(request, "/")
    return {
        "format": dump.format.label,
        "media_type": dump.format.media_type,
        "keeps_named_graphs": dump.format.keeps_graphs,
        "statements": dump.statements,
        "url": dump_url(base, dump.plain.name),
        "size": dump.plain.size,
        "sha256": dump.plain.sha256,
        "gzip": {
            "url": dump_url(base, dump.gzip.name),
            "media_type": "application/gzip",
            "size": dump.gzip.size,
            "sha256": dump.gzip.sha256,
        },
    }


def index(request: Request, service: Service, representation: Representation) -> Response:
    version, dumps = service.dumps.all()
    etag = f'W/"{version}-{representation.key}"'
    headers = {"ETag": etag, "Vary": "Accept", "X-Graph-Version": version}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    if representation is HTML:
        rows = [dump_entry(request, d) for d in dumps]
        return page(request, service, "dumps.html", headers=headers, version=version, dumps=rows)
    body = {
        "version": version,
        "licence": LICENCE,
        "dataset": public_url(request, "/void"),
        "dumps": [dump_entry(request, d) for d in dumps],
        "tables": f"{request.base_url}dumps/tables",
    }
    return JSONResponse(body, headers=headers)


def by_media_type(representation: Representation) -> DumpFormat:
    return next(f for f in DUMP_FORMATS if f.key == representation.key)


@router.api_route(
    "/dumps",
    methods=["GET", "HEAD"],
    summary="The dumps: an index, or one dump by Accept",
    response_class=Response,
    responses={
        200: {
            "description": "The index of the dumps (JSON or HTML), or the dump Accept asks for.",
            "content": {r.media_type: {} for r in INDEX_OFFERS},
        },
        406: {"description": "None of the accepted media types is offered."},
    },
)
def dumps(request: Request, service: ServiceDep, format: DumpsFormatParam = None) -> Response:
    """Each dump's format, media type, statements, size and SHA-256 (plain and gzipped), for
    the current graph version; with an RDF media type in ``Accept``, that dump itself."""
    representation = choose(request.headers.get("accept"), INDEX_OFFERS, format=format)
    if representation in (JSON, HTML):
        return index(request, service, representation)
    dump = service.dumps.get(by_media_type(representation))
    return send_dump(request, dump, packed_file=False)


@router.api_route(
    "/dumps/SHA256SUMS",
    methods=["GET", "HEAD"],
    summary="The checksums of every dump file, for sha256sum -c",
    response_class=PlainTextResponse,
)
def checksums(service: ServiceDep) -> PlainTextResponse:
    version, dumps = service.dumps.all()
    lines = [f"{f.sha256}  {f.name}" for d in dumps for f in (d.plain, d.gzip)]
    return PlainTextResponse(
        "\n".join(lines) + "\n", headers={"ETag": f'W/"{version}-sums"', "X-Graph-Version": version}
    )


def send_table_file(request: Request, version: str, file: TableFile) -> Response:
    etag = f'"{file.sha256}"'
    headers = {
        "ETag": etag,
        "Cache-Control": "no-cache",
        "X-Graph-Version": version,
        "Repr-Digest": f"sha-256=:{base64.b64encode(bytes.fromhex(file.sha256)).decode()}:",
    }
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return FileResponse(file.path, media_type=file.media_type, headers=headers, filename=file.name)


@router.api_route(
    "/dumps/tables",
    methods=["GET", "HEAD"],
    summary="The research tables: an index of their files",
    response_class=JSONResponse,
)
def tables_index(request: Request, service: ServiceDep) -> JSONResponse:
    """The research tables of the current graph version: one CSV per kind of record, their
    long-form values, the entities they cite, the codebook, ``datapackage.json``
    (Frictionless Data Package), a zip of them all and ``SHA256SUMS``."""
    version, files = service.tables.get()
    base = f"{request.base_url}dumps/tables/"
    body = {
        "version": version,
        "licence": LICENCE,
        "datapackage": f"{base}{DATAPACKAGE_FILENAME}",
        "zip": f"{base}{ZIP_FILENAME}",
        "files": [
            {
                "name": f.name,
                "url": f"{base}{f.name}",
                "media_type": f.media_type,
                "size": f.size,
                "sha256": f.sha256,
            }
            for f in files
        ],
    }
    return JSONResponse(body, headers={"ETag": f'W/"{version}-tables"', "X-Graph-Version": version})


@router.api_route(
    "/dumps/tables/{filename}",
    methods=["GET", "HEAD"],
    summary="One file of the research tables",
    response_class=Response,
    responses={
        200: {
            "description": "A table (CSV), the codebook, datapackage.json, the zip or SHA256SUMS.",
            "content": {"text/csv": {}, "application/json": {}, "application/zip": {}},
        },
        404: {"description": "No file of the tables has that name."},
    },
)
def table_file(filename: str, request: Request, service: ServiceDep) -> Response:
    """A file of the research tables; the ETag is its SHA-256."""
    try:
        version, file = service.tables.file(filename)
    except KeyError:
        raise ResourceNotFound(
            f"the research tables have no file named {filename!r}; see /dumps/tables"
        ) from None
    return send_table_file(request, version, file)


@router.api_route(
    "/dumps/{filename}",
    methods=["GET", "HEAD"],
    summary="One dump file",
    response_class=Response,
    responses={
        200: {
            "description": "The whole graph in the format of the file name; .gz files gzipped.",
            "content": {f.media_type: {} for f in DUMP_FORMATS} | {"application/gzip": {}},
        },
        304: {"description": "The client's copy (If-None-Match) is current."},
        404: {"description": "No dump has that name."},
    },
)
def dump_file(filename: str, request: Request, service: ServiceDep) -> Response:
    """``cybergov.nq``, ``cybergov.trig``, ``cybergov.jsonld``, ``cybergov.nt``,
    ``cybergov.ttl``, each also as ``.gz``. The ETag is the SHA-256 of the bytes sent."""
    chosen, packed = dump_format(filename)
    return send_dump(request, service.dumps.get(chosen), packed_file=packed)
