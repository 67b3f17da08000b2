"""``/sparql``: the SPARQL 1.1 Protocol for queries, and the service description.

Queries come by GET (``?query=``), by POST as a form or as the body itself,
with their dataset as ``default-graph-uri`` and ``named-graph-uri``. Every
query goes through the service's query runner: screened (updates, ``LOAD``,
``SERVICE``, too deep or too long: 400; a dataset IRI the store does not hold:
400), run under the deadline (past it: 503 with a JSON message) and cut at
the row cap (the ``Cybergov-Results-Truncated`` header says so). Without a
query, the endpoint describes itself (SPARQL 1.1 Service Description), or shows
a query form to a browser.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import partial
from typing import Any
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import Response

from cybergov.api.answers import flags, graph_response, serialised_response
from cybergov.api.auth import client_of
from cybergov.api.deps import ServiceDep, SparqlFormatParam, public_url
from cybergov.api.negotiation import GRAPHS, HTML, RDF_FIRST, RESULTS, choose_for_protocol
from cybergov.api.protocol import FORM, QUERY, Operation, read_operation
from cybergov.api.render import alternates, page, rdf_response, root_path
from cybergov.api.routes.void import dataset_description
from cybergov.api.service import Service
from cybergov.api.svg import chart_svg
from cybergov.api.tables import table_of
from cybergov.exchange.service_description import service_description_triples
from cybergov.execution.admission import SPARQL
from cybergov.execution.runner import QueryOptions
from cybergov.explore.charts import chart_of_answer
from cybergov.namespaces import PREFIXES, readable
from cybergov.sparql.guard import screen
from cybergov.sparql.lexer import declare_prefixes
from cybergov.store.base import Solutions

router = APIRouter(tags=["SPARQL"])

#: Queries shown on the endpoint's page, to start from.
EXAMPLES = (
    (
        "Incidents attributed to Russia, with who attributed them",
        """PREFIX cg: <https://w3id.org/cybergov/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX state: <https://w3id.org/cybergov/id/state/>

SELECT ?incident ?label ?by WHERE {
  ?attribution cg:attributedTo state:RU ;
               cg:attributedIncident ?incident ;
               cg:attributedBy/rdfs:label ?by .
  ?incident rdfs:label ?label .
}
ORDER BY ?incident""",
    ),
    (
        "How many incidents of each type",
        """PREFIX cg: <https://w3id.org/cybergov/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?type (COUNT(DISTINCT ?incident) AS ?incidents) WHERE {
  ?incident a cg:Incident ; cg:incidentType/rdfs:label ?type .
}
GROUP BY ?type
ORDER BY DESC(?incidents)""",
    ),
)

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "SELECT and ASK: SPARQL results (JSON by default, XML, CSV, TSV); "
        "CONSTRUCT and DESCRIBE: RDF (Turtle by default, N-Triples, JSON-LD, RDF/XML); "
        "no query: the service description (Turtle, JSON-LD, N-Triples, RDF/XML, HTML). "
        "The Cybergov-Results-Truncated header says whether the row cap cut the answer.",
        "content": {r.media_type: {} for r in (*RESULTS, *GRAPHS) if r is not HTML},
    },
    400: {
        "description": "A syntax error (with its line and column), a refused query "
        "(SERVICE, LOAD, an update as a query, too deep), several queries, a dataset "
        "IRI the store does not hold, or what the engine refuses to evaluate (a function "
        "it does not know, a value past its 16 MiB buffer), with the engine's message."
    },
    403: {"description": "An update: the endpoint only reads."},
    406: {
        "description": "No format named (Accept, format, output, results) fits the query's form."
    },
    413: {"description": "The body is larger than the query size limit."},
    415: {"description": "A POST that is neither a form nor application/sparql-query."},
    503: {
        "description": "The query ran past its deadline and was stopped, or the service "
        "is stopping."
    },
}

_PARAMETERS = [
    {
        "name": "prefixes",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": ["known"]},
        "description": "known: declare the cybergov prefixes (cg:, state:, incident:...) that "
        "the query uses without declaring them.",
    },
    {
        "name": "query",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "The SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE). Without it, "
        "the endpoint answers with its service description.",
        "example": "SELECT ?s WHERE { ?s a <https://w3id.org/cybergov/ontology#State> } LIMIT 5",
    },
    {
        "name": "default-graph-uri",
        "in": "query",
        "required": False,
        "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
        "description": "A graph of the default graph (repeatable); must be a graph of the store.",
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "required": False,
        "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
        "description": "A named graph of the dataset (repeatable); must be a graph of the store.",
    },
]

_BODY = {
    "required": True,
    "content": {
        QUERY: {"schema": {"type": "string"}},
        FORM: {
            "schema": {
                "type": "object",
                "properties": {
                    "query": {"type": "string"},
                    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["query"],
            }
        },
    },
}


def answer(request: Request, service: Service, found: Operation) -> Response:
    """Screen, negotiate, run and serialise one query (on a worker thread: it blocks)."""
    assert found.query is not None
    if request.query_params.get("prefixes") == "known":
        found = replace(found, query=declare_prefixes(found.query, PREFIXES))
    assert found.query is not None
    form = screen(found.query, service.runner.limits).form
    offers = RESULTS if form in ("SELECT", "ASK") else GRAPHS
    chosen = choose_for_protocol(request.headers.get("accept"), offers, found.formats)
    headers = {"Cache-Control": "no-store"}
    runner = service.runner
    options: QueryOptions = {
        "default_graphs": found.default_graphs,
        "named_graphs": found.named_graphs,
        "lane": SPARQL,
        "client": client_of(request, service),
    }
    if chosen is HTML:
        answered = runner.query(found.query, **options)
        return results_page(request, service, found.query, answered, headers)
    if offers is RESULTS:  # written by the query workers, passed on as they wrote it
        written = runner.query_results(found.query, chosen.key, **options)
        return serialised_response(written, chosen, headers=headers)
    triples = runner.construct(found.query, **options)
    return graph_response(triples, chosen, headers=headers)


def results_page(
    request: Request,
    service: Service,
    query: str,
    result: Solutions | bool | list[Any],
    headers: dict[str, str],
) -> Response:
    if isinstance(result, bool):
        variables: tuple[str, ...] = ()
        rows: list[tuple[Any, ...]] = []
    elif isinstance(result, Solutions):
        variables, rows = result.variables, list(result.rows)
    else:
        variables = ("subject", "predicate", "object")
        rows = [(t.subject, t.predicate, t.object) for t in result]
    truncated = bool(getattr(result, "truncated", False))
    view = "chart" if request.query_params.get("view") == "chart" else "table"
    table = chart = chart_model = None
    if isinstance(result, Solutions):
        table = table_of(result, service.store, root_path(request))
        chart_model = chart_of_answer("The answer", result) if view == "chart" else None
        chart = chart_svg(chart_model, root_path(request)) if chart_model else None
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "view"]
    return page(
        request,
        service,
        "sparql.html",
        headers={**headers, **flags(truncated)},
        **editor_context(service, query),
        boolean=result if isinstance(result, bool) else None,
        variables=variables,
        rows=rows,
        table=table,
        view=view,
        chart=chart,
        chart_model=chart_model,
        table_link=urlencode([*kept, ("view", "table")]),
        chart_link=urlencode([*kept, ("view", "chart")]),
        truncated=truncated,
        label=readable,
        answered=True,
    )


def editor_context(service: Service, query: str, example: str | None = None) -> dict[str, Any]:
    """What the editor shows: the query, the catalogue's questions to start from, and
    the prefixes it declares by itself."""
    return {
        "query": query,
        "examples": EXAMPLES,
        "questions": [(q.name, q.summary) for q in service.catalogue],
        "example": example,
        "known_prefixes": json.dumps(PREFIXES, separators=(",", ":")),
    }


def service_description(request: Request, service: Service, found: Operation) -> Response:
    representation = choose_for_protocol(request.headers.get("accept"), RDF_FIRST, found.formats)
    headers = {"Link": alternates("/sparql", RDF_FIRST)}
    if representation is HTML:
        example = request.query_params.get("example")
        query = EXAMPLES[0][1]
        if example:
            query = service.catalogue.get(example).sparql.strip()
        return page(
            request,
            service,
            "sparql.html",
            headers=headers,
            **editor_context(service, query, example),
            answered=False,
            formats=[
                (r.label, r.media_type, f"/sparql?format={r.extension}")
                for r in RDF_FIRST
                if r is not HTML
            ],
        )
    version = service.version()
    base = public_url(request, "/")
    triples = service.cached(
        f"service-description {base}",
        lambda: service_description_triples(
            dataset_description(service, version),
            endpoint=f"{base}sparql",
            void=f"{base}void",
            base_iri=service.runner.base_iri,
        ),
        version=version,
    )
    return rdf_response(triples, representation, headers=headers)


async def sparql(
    request: Request, service: ServiceDep, format: SparqlFormatParam = None
) -> Response:
    """The SPARQL 1.1 Protocol for queries: GET with ``query``, POST as a form or as
    ``application/sparql-query``; ``default-graph-uri`` and ``named-graph-uri`` give the
    dataset. Read-only: updates get 403. The answer's format follows ``Accept`` (or
    ``?format=json|xml|csv|tsv|ttl|nt|jsonld|rdf``). Without a query: the service
    description, or a query form for a browser."""
    found = await read_operation(request, max_query_bytes=service.settings.max_query_bytes)
    if found.query is None:
        return await anyio.to_thread.run_sync(partial(service_description, request, service, found))
    return await anyio.to_thread.run_sync(partial(answer, request, service, found))


router.add_api_route(
    "/sparql",
    sparql,
    methods=["GET", "HEAD"],
    summary="SPARQL query by GET, or the service description",
    response_class=Response,
    responses=_RESPONSES,
    openapi_extra={"parameters": _PARAMETERS},
    operation_id="sparql_get",
)
router.add_api_route(
    "/sparql",
    sparql,
    methods=["POST"],
    summary="SPARQL query by POST (a form, or application/sparql-query)",
    response_class=Response,
    responses=_RESPONSES,
    openapi_extra={"parameters": [_PARAMETERS[0], *_PARAMETERS[2:]], "requestBody": _BODY},
    operation_id="sparql_post",
)
