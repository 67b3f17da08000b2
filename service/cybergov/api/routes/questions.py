"""``/questions``: the catalogue, and each question as an operation of its own.

Every question of ``queries/questions/`` becomes ``GET /questions/<name>``
when the app is made, with its parameters as typed query parameters of the
OpenAPI document (IRIs, strings, dates, integers, enumerations with their
values; required or not; examples and descriptions from the ``.rq`` header).
A bad value is a 422 that says what was expected, and so is a parameter the
question does not have. Answers are JSON (the SPARQL 1.1 results and a plain
list of rows, in one shape: :class:`QuestionAnswer`), CSV, TSV or SPARQL XML,
chosen by ``Accept`` or ``?format=``; ``limit`` and ``offset`` page through
them.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from cybergov.api.answers import flags
from cybergov.api.deps import PageFormatParam, ServiceDep, public_url
from cybergov.api.negotiation import CSV, HTML, JSON, SPARQL_JSON, SPARQL_XML, TSV, choose
from cybergov.api.question_pages import question_page
from cybergov.api.render import page, root_path
from cybergov.api.schemas import QuestionAnswer, QuestionList, plain_rows
from cybergov.api.service import Service
from cybergov.errors import QueryParameterError
from cybergov.execution import Serialised
from cybergov.sparql.catalogue import (
    MAX_PAGE_NUMBER,
    Catalogue,
    Parameter,
    Question,
    example_values,
)
from cybergov.store.base import Term

#: What an answer is offered as; JSON first, a page with the question's form for browsers.
ANSWER_OFFERS = (JSON, SPARQL_JSON, CSV, TSV, SPARQL_XML, HTML)
FORMAT_NAMES = ("json", "sparql-json", "csv", "tsv", "xml")
_PAGING = frozenset({"limit", "offset", "format"})


def _description(parameter: Parameter) -> str:
    description = parameter.description or ""
    if parameter.type == "iri":
        description += " A full IRI, or a cybergov prefixed name (state:FR)."
    elif parameter.type == "date":
        description += " A date, YYYY-MM-DD."
    return description.strip()


def _query(parameter: Parameter) -> Any:
    """The FastAPI ``Query`` of one question parameter.

    Every value arrives as text and is checked by the question (:meth:`Question.bind`),
    so that a form's empty field means "not given" and a bad value is answered with what
    was expected; the OpenAPI document describes the type (:func:`document_parameters`).
    """
    return Query(
        alias=parameter.name,
        description=_description(parameter),
        max_length=2000,
    )


def parameter_schema(parameter: Parameter) -> dict[str, Any]:
    """The JSON schema of one question parameter, for the OpenAPI document."""
    example = parameter.example
    schema: dict[str, Any] = {
        "examples": [example.isoformat() if hasattr(example, "isoformat") else example]
    }
    if parameter.type == "integer":
        schema["type"] = "integer"
    elif parameter.type == "enumeration":
        schema |= {"type": "string", "enum": list(parameter.values or ())}
    elif parameter.type == "date":
        schema |= {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    elif parameter.type == "iri":
        schema |= {"type": "string", "format": "iri", "maxLength": 2000}
    else:
        schema |= {"type": "string", "maxLength": 1000}
    if parameter.default is not None:
        default = parameter.default
        schema["default"] = default.isoformat() if hasattr(default, "isoformat") else default
    return schema


def document_parameters(operation: dict[str, Any], question: Question) -> None:
    """Describe the question's parameters in its OpenAPI operation: type, examples, and
    whether each is required."""
    for entry in operation.get("parameters", []):
        if entry.get("in") != "query":
            continue
        for parameter in question.params:
            if parameter.name == entry["name"]:
                entry["required"] = parameter.required
                entry["schema"] = parameter_schema(parameter)
                entry["description"] = _description(parameter)


def _signature(question: Question, max_rows: int) -> inspect.Signature:
    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [
        inspect.Parameter("request", keyword, annotation=Request),
        inspect.Parameter("service", keyword, annotation=ServiceDep),
    ]
    for parameter in question.params:
        # A required parameter is optional here, so that a browser asking without it gets
        # the question's form; the answer refuses it (422), and the OpenAPI document says
        # it is required (see cybergov.api.app.openapi_document). A default is the
        # question's to fill in, so that a page can tell what the user gave.
        annotation: Any = Annotated[str | None, _query(parameter)]  # made at run time
        parameters.append(
            inspect.Parameter(f"p_{parameter.name}", keyword, annotation=annotation, default=None)
        )
    parameters += [
        inspect.Parameter(
            "limit",
            keyword,
            annotation=Annotated[
                int | None,
                Query(ge=0, le=max_rows, description="Rows of one page (at most the row cap)."),
            ],
            default=None,
        ),
        inspect.Parameter(
            "offset",
            keyword,
            annotation=Annotated[
                int,
                Query(ge=0, le=MAX_PAGE_NUMBER, description="Rows to skip before the page."),
            ],
            default=0,
        ),
        inspect.Parameter(
            "format",
            keyword,
            annotation=Annotated[
                Literal["json", "sparql-json", "csv", "tsv", "xml", "html"] | None,
                Query(description="The answer's format, overriding Accept (html: the form)."),
            ],
            default=None,
        ),
    ]
    return inspect.Signature(parameters)


def refuse_unknown_parameters(request: Request, question: Question) -> None:
    """Refuse parameters the question does not have, and parameters given twice (422).

    Raises:
        QueryParameterError: a parameter is unknown or repeated.
    """
    seen: set[str] = set()
    for name, _ in request.query_params.multi_items():
        if name in seen:
            raise QueryParameterError(f"parameter {name!r} is given twice; give it once")
        seen.add(name)
        if name not in _PAGING:
            question.parameter(name)


def answer(
    request: Request,
    service: Service,
    question: Question,
    values: dict[str, Any],
    *,
    limit: int | None,
    offset: int,
    format: str | None,
) -> Response:
    """Ask the question (on a worker thread: it blocks) and write the answer as negotiated.

    The query workers write the SPARQL results; the JSON answer adds the plain rows
    and the question's members in front of them.
    """
    representation = choose(request.headers.get("accept"), ANSWER_OFFERS, format=format)
    if representation is HTML:  # a form's empty field means "not given"
        asked = {name: value for name, value in values.items() if value not in (None, "")}
        return question_page(request, service, question, asked, limit=limit, offset=offset)
    bound = question.bind({name: value for name, value in values.items() if value is not None})
    output = "json" if representation is JSON else representation.key
    runner = service.runner
    # The whole JSON answer is kept too (the rows cost more to write than the results):
    # it follows from the URL, the representation and the data.
    key = runner.answer_key("question", root_path(request), request.url.path, request.url.query)
    if key is not None and representation is JSON and runner.answers is not None:
        kept = runner.answers.get(key)
        if isinstance(kept, KeptAnswer):
            return Response(kept.body, media_type=JSON.content_type, headers=dict(kept.headers))
    written = runner.query_results(
        question.text(limit=limit, offset=offset), output, substitutions=bound
    )
    if representation is not JSON:
        headers = flags(written.truncated)
        return Response(written.body, media_type=representation.content_type, headers=headers)
    body, headers = json_answer(request, question, bound, written, limit=limit, offset=offset)
    if key is not None and runner.answers is not None:
        runner.answers.put(key, KeptAnswer(body, tuple(headers.items())))
    return Response(body, media_type=JSON.content_type, headers=headers)


@dataclass(frozen=True, slots=True)
class KeptAnswer:
    """A question's whole JSON answer, as kept for the same request until the next write."""

    body: bytes
    headers: tuple[tuple[str, str], ...]


def json_answer(
    request: Request,
    question: Question,
    bound: Mapping[str, Term],
    written: Serialised,
    *,
    limit: int | None,
    offset: int,
) -> tuple[bytes, dict[str, str]]:
    """The JSON answer of a question: its name, parameters, page and plain rows, then the
    SPARQL results as the workers wrote them; and its headers."""
    headers = flags(written.truncated)
    results = json.loads(written.body)
    variables = results["head"]["vars"]
    bindings = results["results"]["bindings"]
    following = next_page(
        request, question, written, limit=limit, offset=offset, rows=len(bindings)
    )
    if following:
        headers["Link"] = f'<{following}>; rel="next"'
    members = {
        "question": question.name,
        "parameters": {name: term.value for name, term in bound.items()},
        "count": len(bindings),
        "page": {"limit": limit, "offset": offset, "next": following},
        "rows": plain_rows(variables, bindings),
    }
    # The SPARQL results ({"head", "truncated", "results"}) close the object as the workers
    # wrote them: streaming SPARQL JSON readers (pyoxigraph's) skip the members before.
    front = json.dumps(members, separators=(",", ":"), ensure_ascii=False)[:-1].encode()
    return front + b"," + written.body.lstrip()[1:], headers


def next_page(
    request: Request,
    question: Question,
    written: Serialised,
    *,
    limit: int | None,
    offset: int,
    rows: int,
) -> str | None:
    """The URL of the next page: after a full page of ``limit`` rows, or after a cut answer."""
    if limit is not None:
        if rows < limit:
            return None
        step = limit
    elif written.truncated:
        step = rows
    else:
        return None
    if step == 0:
        return None
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in ("limit", "offset")]
    query += [("limit", str(step)), ("offset", str(offset + step))]
    return f"{root_path(request)}/questions/{question.name}?{urlencode(query)}"


def _endpoint(question: Question, max_rows: int) -> Any:
    async def endpoint(
        *,
        request: Request,
        service: Service,
        limit: int | None,
        offset: int,
        format: str | None,
        **values: Any,
    ) -> Response:
        refuse_unknown_parameters(request, question)
        given = {name.removeprefix("p_"): value for name, value in values.items()}
        run = partial(
            answer, request, service, question, given, limit=limit, offset=offset, format=format
        )
        return await anyio.to_thread.run_sync(run)

    endpoint.__signature__ = _signature(question, max_rows)  # type: ignore[attr-defined]
    endpoint.question = question  # type: ignore[attr-defined]  # for the 422 messages
    endpoint.__name__ = f"ask_{question.name.replace('-', '_')}"
    return endpoint


def _responses(question: Question) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "model": QuestionAnswer,
            "description": "The answer: JSON (SPARQL results and plain rows), or "
            "SPARQL JSON, CSV, TSV, SPARQL XML by Accept or ?format=. The "
            "Cybergov-Results-Truncated header says whether the row cap cut it.",
            "content": {
                "application/json": {},
                **{r.media_type: {} for r in ANSWER_OFFERS if r is not JSON},
            },
        },
        406: {"description": "None of the accepted media types is offered."},
        422: {
            "description": "A parameter is missing, unknown or not of its type; the "
            "message says what was expected."
        },
        503: {"description": "The question ran past its deadline and was stopped."},
    }


def catalogue_body(request: Request, catalogue: Catalogue) -> dict[str, Any]:
    base = public_url(request, "/questions/")
    questions = []
    for question in catalogue:
        described = question.as_json()
        described["url"] = base + question.name
        examples = urlencode(example_values(question))
        described["example"] = f"{base}{question.name}" + (f"?{examples}" if examples else "")
        questions.append(described)
    return {"count": len(questions), "questions": questions}


def questions_router(catalogue: Catalogue, *, max_rows: int = 10_000) -> APIRouter:
    """The routes of the catalogue: the list, then one operation per question.

    ``max_rows`` bounds the ``limit`` parameter (the settings' row cap).
    """
    router = APIRouter(tags=["questions"])

    async def list_questions(
        request: Request, service: ServiceDep, format: PageFormatParam = None
    ) -> Response:
        """Every question: its name, summary, description, tags and parameters (with their
        types, examples and whether they are required), its URL and an example URL."""
        representation = choose(request.headers.get("accept"), (JSON, HTML), format=format)
        body = catalogue_body(request, catalogue)
        if representation is HTML:
            return page(request, service, "questions.html", **body)
        return JSONResponse(body, headers={"Vary": "Accept"})

    router.add_api_route(
        "/questions",
        list_questions,
        methods=["GET", "HEAD"],
        summary="The catalogue of questions",
        response_class=Response,
        responses={200: {"model": QuestionList, "content": {"text/html": {}}}},
        operation_id="list_questions",
    )
    for question in catalogue:
        router.add_api_route(
            f"/questions/{question.name}",
            _endpoint(question, max_rows),
            methods=["GET", "HEAD"],
            summary=question.summary,
            description=question.description,
            response_class=Response,
            responses=_responses(question),
            operation_id=f"ask_{question.name.replace('-', '_')}",
        )

    async def unknown_question(name: str) -> Response:
        catalogue.get(name)  # raises QueryNotFound with the names that come close
        raise AssertionError("every question has a route of its own")

    router.add_api_route(
        "/questions/{name}", unknown_question, methods=["GET", "HEAD"], include_in_schema=False
    )
    return router
