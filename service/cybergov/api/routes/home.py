"""``/``: what this service serves and where."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from cybergov import __version__
from cybergov.api.deps import PageFormatParam, ServiceDep, public_url
from cybergov.api.home_charts import drawn_charts
from cybergov.api.negotiation import HTML, JSON, choose
from cybergov.api.render import page, root_path
from cybergov.exchange.void import DESCRIPTION, TITLE
from cybergov.explore.lookup import counts

router = APIRouter(tags=["service"])

#: The entry points of the service, for the home page and its JSON form.
ENTRY_POINTS = (
    ("search", "/search", "Search every resource by name, alias, identifier or description"),
    ("incidents", "/incidents", "The incident browser: incidents by year, target, attribution"),
    ("questions", "/questions", "The questions of the catalogue, each with typed parameters"),
    ("sparql", "/sparql", "The SPARQL 1.1 query endpoint, with a query form"),
    ("contributions", "/contributions", "Contributions received, and how to send one"),
    ("ontology", "/ontology", "The ontology and its documentation"),
    ("shapes", "/shapes", "The SHACL shapes contributions must conform to"),
    ("dataset", "/void", "The description of the dataset (VoID and DCAT)"),
    ("dumps", "/dumps", "The whole graph in five formats, with checksums"),
    ("api", "/docs", "The HTTP API and its OpenAPI document"),
    ("health", "/healthz", "Readiness of the service and the graph version"),
)


@router.api_route(
    "/",
    methods=["GET", "HEAD"],
    summary="The service and its entry points",
    response_class=HTMLResponse,
    responses={
        200: {
            "description": "The home page (what the graph holds, with its charts); as JSON "
            "(Accept: application/json, or ?format=json), the title, the graph version and "
            "the entry points.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        406: {"description": "Neither HTML nor JSON is accepted."},
    },
)
def home(request: Request, service: ServiceDep, format: PageFormatParam = None) -> Response:
    representation = choose(request.headers.get("accept"), (HTML, JSON), format=format)
    version = service.version()
    if representation is JSON:
        base = public_url(request, "")
        return JSONResponse(
            {
                "title": TITLE,
                "description": DESCRIPTION,
                "version": version,
                "software": __version__,
                "links": {name: f"{base}{path}" for name, path, _ in ENTRY_POINTS},
            },
            headers={"Vary": "Accept"},
        )
    stats = service.cached("counts", lambda: counts(service.store), version=version)
    return page(
        request,
        service,
        "home.html",
        title=TITLE,
        description=DESCRIPTION,
        version=version,
        entry_points=ENTRY_POINTS,
        stats=stats,
        charts=drawn_charts(service, root_path(request)),
    )
