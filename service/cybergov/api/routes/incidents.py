"""``/incidents``: the incident browser, a table of incidents with facets (year, target
country, sector, type, attributed state, attributor, kind of response, EU response or
none), sortable, shareable (everything is in the URL) and downloadable as CSV or JSON."""

from __future__ import annotations

import csv
import io
from functools import partial
from typing import Annotated, Literal
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from cybergov.api.deps import ServiceDep
from cybergov.api.negotiation import CSV, HTML, JSON, choose
from cybergov.api.render import page
from cybergov.api.service import Service
from cybergov.explore.incidents import (
    FACETS,
    SORTS,
    Browse,
    Incidents,
    browse,
    names_of,
    read_incidents,
)
from cybergov.namespaces import shorten

router = APIRouter(tags=["incidents"])

Values = Annotated[list[str] | None, Query(max_length=2000)]
#: The columns of the table and of its CSV form: facet shown, and its heading.
COLUMNS = (
    ("type", "types"),
    ("target", "target countries"),
    ("sector", "sectors"),
    ("attributed", "attributed to"),
    ("attributor", "attributed by"),
    ("response", "responses"),
    ("eu", "EU response"),
)


def incidents_of(service: Service) -> Incidents:
    """Every incident with its facets, read once per graph version."""
    return service.cached("incidents", lambda: read_incidents(service.store))


def as_rows(incidents: Incidents, found: Browse) -> list[dict[str, object]]:
    rows = []
    for record in found.rows:
        row: dict[str, object] = {
            "incident": record.iri,
            "label": record.label,
            "start": record.start,
            "end": record.end,
        }
        for facet, heading in COLUMNS:
            row[heading] = names_of(incidents, record, facet)
        row["attributions"] = len(record.attributions)
        row["response records"] = len(record.responses)
        rows.append(row)
    return rows


def csv_body(rows: list[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if rows:
        writer.writerow(rows[0].keys())
    for row in rows:
        writer.writerow(
            "; ".join(str(v) for v in value) if isinstance(value, list) else value
            for value in row.values()
        )
    return out.getvalue()


def answer(
    request: Request,
    service: Service,
    *,
    chosen: dict[str, list[str]],
    text: str,
    sort: str,
    order: str,
    limit: int,
    offset: int,
    format: str | None,
) -> Response:
    representation = choose(request.headers.get("accept"), (HTML, JSON, CSV), format=format)
    incidents = incidents_of(service)
    found = browse(incidents, chosen, sort=sort, descending=order == "desc", text=text)
    if representation is CSV:
        return Response(
            csv_body(as_rows(incidents, found)),
            media_type=CSV.content_type,
            headers={
                "Content-Disposition": 'attachment; filename="incidents.csv"',
                "Vary": "Accept",
            },
        )
    if representation is JSON:
        return JSONResponse(
            {
                "total": found.total,
                "chosen": found.chosen,
                "facets": {
                    facet: [{"value": v, "name": incidents.name(v), "count": n} for v, n in counts]
                    for facet, counts in found.facets.items()
                },
                "incidents": as_rows(incidents, found)[offset : offset + limit],
            },
            headers={"Vary": "Accept"},
        )
    state = [(f, shorten(v)) for f, values in found.chosen.items() for v in values]
    if text:
        state.append(("q", text))
    current = [*state, ("sort", sort), ("order", order)]

    def without(facet: str, value: str) -> str:
        return urlencode([p for p in current if p != (facet, shorten(value))])

    def sorted_by(column: str) -> str:
        flipped = "desc" if sort == column and order == "asc" else "asc"
        return urlencode([*state, ("sort", column), ("order", flipped)])

    shown = found.rows[offset : offset + limit]
    return page(
        request,
        service,
        "incidents.html",
        found=found,
        shown=shown,
        incidents=incidents,
        facets=FACETS,
        columns=COLUMNS,
        short=shorten,
        names_of=partial(names_of, incidents),
        without=without,
        sorted_by=sorted_by,
        sort=sort,
        order=order,
        text=text,
        offset=offset,
        limit=limit,
        csv_link=urlencode([*current, ("format", "csv")]),
        json_link=urlencode([*current, ("format", "json")]),
        previous_link=urlencode([*current, ("offset", max(0, offset - limit))]) if offset else None,
        next_link=urlencode([*current, ("offset", offset + limit)])
        if offset + limit < found.total
        else None,
        checked=lambda facet, value: value in found.chosen.get(facet, ()),
    )


@router.api_route(
    "/incidents",
    methods=["GET", "HEAD"],
    summary="The incident browser: incidents filtered by facets",
    response_class=Response,
    responses={
        200: {
            "description": "The incidents that have one of the chosen values of every facet "
            "given, with the counts of each facet's values: a page, JSON or CSV.",
            "content": {"text/html": {}, "application/json": {}, "text/csv": {}},
        }
    },
)
async def incidents(
    *,
    request: Request,
    service: ServiceDep,
    year: Values = None,
    target: Values = None,
    sector: Values = None,
    type: Values = None,
    attributed: Values = None,
    attributor: Values = None,
    response: Values = None,
    eu: Annotated[list[Literal["yes", "no"]] | None, Query()] = None,
    q: Annotated[str, Query(max_length=200, description="Words of the incident's name.")] = "",
    sort: Annotated[Literal["start", "label", "attributions", "responses"], Query()] = "start",
    order: Annotated[Literal["asc", "desc"], Query()] = "asc",
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
    format: Annotated[Literal["html", "json", "csv"] | None, Query()] = None,
) -> Response:
    """Incidents with facets: ``year``, ``target`` (a country), ``sector``, ``type``,
    ``attributed`` (a state, retracted attributions left out), ``attributor``,
    ``response`` (a kind of response, as a class) and ``eu`` (``yes``: the EU or one of
    its bodies responded; ``no``: it did not), each repeatable (values of one facet are
    alternatives); values are IRIs or prefixed names (``state:RU``)."""
    chosen: dict[str, list[str]] = {
        "year": year or [],
        "target": target or [],
        "sector": sector or [],
        "type": type or [],
        "attributed": attributed or [],
        "attributor": attributor or [],
        "response": response or [],
        "eu": list(eu or []),
    }
    assert sort in SORTS
    run = partial(
        answer,
        request,
        service,
        chosen=chosen,
        text=q,
        sort=sort,
        order=order,
        limit=limit,
        offset=offset,
        format=format,
    )
    return await anyio.to_thread.run_sync(run)
