"""A question in a browser: its description, a form with one typed field per parameter,
and the answer as a table (with its chart when the question counts), pages of rows and
links to every results format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from cybergov.api.render import page, root_path
from cybergov.api.service import Service
from cybergov.api.svg import chart_svg
from cybergov.api.tables import table_of
from cybergov.errors import QueryParameterError
from cybergov.explore.charts import chart_of
from cybergov.explore.lookup import labels_of
from cybergov.explore.parameters import parameter_classes, read_schema
from cybergov.namespaces import shorten
from cybergov.sparql.catalogue import Parameter, Question

#: Rows of one page of a question's answer in a browser, and the choices offered.
PAGE_ROWS = 50
PAGE_CHOICES = (25, 50, 100, 500)
DOWNLOADS = (
    ("JSON", "json"),
    ("SPARQL JSON", "sparql-json"),
    ("CSV", "csv"),
    ("TSV", "tsv"),
    ("SPARQL XML", "xml"),
)


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a question's form."""

    name: str
    type: str
    required: bool
    description: str
    value: str
    example: str
    values: tuple[str, ...] = ()
    within: str | None = None
    value_label: str | None = None


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def fields(
    service: Service, question: Question, given: dict[str, Any], problems: dict[str, str]
) -> list[Field]:
    """The form's fields, with the values given and the class each IRI field searches."""
    schema = service.cached("schema", lambda: read_schema(service.store))
    classes = parameter_classes(question, schema)
    iris = []
    for parameter in question.params:
        if parameter.type == "iri" and given.get(parameter.name) and parameter.name not in problems:
            iris.append(str(parameter.term(given[parameter.name]).value))
    labels = labels_of(service.store, iris) if iris else {}
    made = []
    for parameter in question.params:
        value = _text(given.get(parameter.name, parameter.default))
        label = None
        if parameter.type == "iri" and value and parameter.name not in problems:
            label = labels.get(str(parameter.term(value).value))
        made.append(
            Field(
                name=parameter.name,
                type=parameter.type,
                required=parameter.required,
                description=parameter.description or "",
                value=value,
                example=_example(parameter),
                values=parameter.values or (),
                within=classes.get(parameter.name),
                value_label=label,
            )
        )
    return made


def _example(parameter: Parameter) -> str:
    text = _text(parameter.example)
    return shorten(text) if parameter.type == "iri" else text


def question_page(
    request: Request,
    service: Service,
    question: Question,
    given: dict[str, Any],
    *,
    limit: int | None,
    offset: int,
    problems: dict[str, str] | None = None,
) -> HTMLResponse:
    """The question's page: its form, and its answer when every required value is given.

    A question asked without its required values shows its form (200); a value that is
    not of its type shows the form with what was expected (422).

    Raises:
        QueryTimeout, StoreError: the question could not be answered.
    """
    problems = dict(problems or {})
    rows = limit or PAGE_ROWS
    missing = [p.name for p in question.params if p.required and p.name not in given]
    status = 422 if problems else 200
    answer = None
    if not problems and not missing:
        try:
            bound = question.bind(given)
        except QueryParameterError as error:
            problems[_culprit(question, str(error))] = str(error)
            status = 422
        else:
            answer = service.runner.select(
                question.text(limit=rows + 1, offset=offset), substitutions=bound
            )
    elif missing and given and not problems:
        for name in missing:
            problems[name] = f"give {name}: the question needs it"
        status = 422
    root = root_path(request)
    plain = [(k, _text(v)) for k, v in given.items()]
    context: dict[str, Any] = {
        "question": question,
        "fields": fields(service, question, given, problems),
        "problems": problems,
        "missing": missing,
        "asked": answer is not None,
        "rows_per_page": rows,
        "page_choices": PAGE_CHOICES,
        "offset": offset,
        "example_link": urlencode(
            [(p.name, _example(p)) for p in question.params if p.example is not None]
        ),
        "downloads": [(label, urlencode([*plain, ("format", name)])) for label, name in DOWNLOADS],
        "sparql_link": urlencode([("example", question.name)]),
    }
    if answer is not None:
        shown = table_of(answer, service.store, root, rows=rows)
        chart = chart_of(question, answer) if offset == 0 and len(answer.rows) <= rows else None
        context |= {
            "table": shown,
            "chart": chart_svg(chart, root) if chart and chart.bars else None,
            "chart_model": chart,
            "truncated": answer.truncated,
            "previous_link": urlencode([*plain, ("limit", rows), ("offset", max(0, offset - rows))])
            if offset
            else None,
            "next_link": urlencode([*plain, ("limit", rows), ("offset", offset + rows)])
            if len(answer.rows) > rows
            else None,
        }
    return page(request, service, "question.html", status=status, **context)


def _culprit(question: Question, message: str) -> str:
    """The parameter an error message is about (its name is quoted in it)."""
    for parameter in question.params:
        if f"'{parameter.name}'" in message:
            return parameter.name
    return ""
