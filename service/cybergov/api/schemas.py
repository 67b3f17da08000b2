"""The JSON shapes of the question API, for the OpenAPI document, and the plain rows.

Answers are written without these models (they are built as plain data and
dumped once); the models document the shape, which the tests check against
real answers.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, Field

from cybergov.namespaces import VOCABULARY_PREFIXES

_XSD = VOCABULARY_PREFIXES["xsd"]
_INTEGERS = frozenset(
    f"{_XSD}{name}"
    for name in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
        "unsignedShort", "unsignedByte",
    )
)  # fmt: skip
_NUMBERS = frozenset({f"{_XSD}decimal", f"{_XSD}double", f"{_XSD}float"})


class Head(BaseModel):
    vars: list[str] = Field(description="The variables of the answer, in order.")


class Results(BaseModel):
    bindings: list[dict[str, dict[str, str]]] = Field(
        description="One object per row, as in SPARQL 1.1 Query Results JSON: each bound "
        "variable to {type: uri|literal|bnode, value, datatype?, xml:lang?}."
    )


class Page(BaseModel):
    limit: int | None = Field(description="The rows asked for (null: every row up to the cap).")
    offset: int = Field(description="The rows skipped.")
    next: str | None = Field(description="The URL of the next page, when there are more rows.")


class QuestionAnswer(BaseModel):
    """The JSON answer to a question: the SPARQL 1.1 results (``head`` and ``results``, which
    SPARQL JSON readers read as they are: ``results`` comes last) and the same rows as
    plain values (``rows``)."""

    question: str = Field(description="The name of the question.")
    parameters: dict[str, str] = Field(
        description="The parameters it was asked with (IRIs in full), defaults included."
    )
    head: Head
    results: Results
    rows: list[dict[str, Any]] = Field(
        description="Each row as {variable: value}: IRIs and text as strings, numbers as "
        "numbers, booleans as booleans, dates as YYYY-MM-DD, unbound variables as null."
    )
    count: int = Field(description="The number of rows in this answer.")
    truncated: bool = Field(
        description="Whether the row cap cut the answer (page with limit and offset)."
    )
    page: Page


class Param(BaseModel):
    name: str
    type: str = Field(description="iri, string, date, integer or enumeration.")
    required: bool = False
    default: Any = None
    example: Any
    values: list[str] | None = Field(default=None, description="An enumeration's values.")
    description: str | None = None


class QuestionEntry(BaseModel):
    name: str
    summary: str
    description: str
    tags: list[str]
    params: list[Param]
    url: str = Field(description="Where the question is asked.")
    example: str = Field(description="The question asked with its example parameters.")


class QuestionList(BaseModel):
    count: int
    questions: list[QuestionEntry]


def _number(text: str) -> Any:
    number = float(text)
    return number if math.isfinite(number) else text  # JSON has no NaN nor infinity


def _boolean(text: str) -> Any:
    return text in ("true", "1")


_CONVERTERS: dict[str, Any] = {
    **dict.fromkeys(_INTEGERS, int),
    **dict.fromkeys(_NUMBERS, _number),
    f"{_XSD}boolean": _boolean,
}


def plain_value(term: dict[str, str] | None) -> Any:
    """A term of SPARQL JSON results as a plain JSON value: IRIs and text as strings,
    numbers and booleans typed, blank nodes as ``_:id``, unbound as ``None``."""
    if term is None:
        return None
    kind = term["type"]
    if kind == "bnode":
        return f"_:{term['value']}"
    if kind in ("literal", "typed-literal"):
        convert = _CONVERTERS.get(term.get("datatype", ""))
        if convert is not None:
            try:
                return convert(term["value"])
            except ValueError:  # an ill-typed literal is shown as it is written
                return term["value"]
    return term["value"]


def plain_rows(
    variables: list[str], bindings: list[dict[str, dict[str, str]]]
) -> list[dict[str, Any]]:
    """Each row of SPARQL JSON results as ``{variable: plain value}``, every variable present."""
    return [{name: plain_value(binding.get(name)) for name in variables} for binding in bindings]
