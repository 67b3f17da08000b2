"""The catalogue of governance questions: ``queries/questions/*.rq``.

Each question is a SPARQL SELECT query with a strict ``#+`` header::

    #+ summary: Responses to an incident
    #+ description: Every response that answers the incident, ...
    #+ params:
    #+   - name: incident
    #+     type: iri
    #+     required: true
    #+     example: "https://w3id.org/cybergov/id/incident/notpetya-2017"
    #+ tags: [responses]

Parameters are typed (``iri``, ``string``, ``date``, ``integer``,
``enumeration`` with its ``values``), checked, turned into RDF terms and bound
to the variable of the same name by the query runner (a ``VALUES`` block of
terms first in the WHERE group), never pasted into the query text. A
question therefore uses its parameter variables at the top level of its WHERE
group (in patterns, or in filters of that group), where the block binds them;
a parameter left out stays unbound, which questions test with ``BOUND``.
Pagination appends ``LIMIT`` and ``OFFSET`` built from integers, so questions
carry neither.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pyoxigraph import Literal as RdfLiteral
from pyoxigraph import NamedNode

from cybergov.errors import (
    HeaderError,
    QueryNotFound,
    QueryParameterError,
    QueryRefused,
    QuerySyntaxError,
)
from cybergov.namespaces import PREFIXES, VOCABULARY_PREFIXES
from cybergov.settings import data_folder
from cybergov.sparql.guard import screen
from cybergov.sparql.lexer import top_level, where_group
from cybergov.sparql.query_files import read_query_file

_XSD = VOCABULARY_PREFIXES["xsd"]
_REQUIRED = frozenset({"summary", "description", "tags"})
_ALLOWED = _REQUIRED | frozenset({"params"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER = re.compile(r"[+-]?\d{1,18}")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
#: The largest LIMIT or OFFSET a question's page may have (far past any answer).
MAX_PAGE_NUMBER = 1_000_000_000

ParameterType = Literal["iri", "string", "date", "integer", "enumeration"]


class Parameter(BaseModel):
    """One typed parameter of a question, as its header declares it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=_NAME.pattern)
    type: ParameterType
    required: bool = False
    default: str | int | date | None = None
    example: str | int | date
    values: tuple[str, ...] | None = None
    description: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Parameter:
        if self.type == "enumeration" and not self.values:
            raise ValueError("an enumeration lists its values")
        if self.type != "enumeration" and self.values is not None:
            raise ValueError("only an enumeration has values")
        if self.required and self.default is not None:
            raise ValueError("a required parameter has no default")
        self.term(self.example)
        if self.default is not None:
            self.term(self.default)
        return self

    def term(self, value: object) -> NamedNode | RdfLiteral:
        """The RDF term for a value given to this parameter.

        IRIs may be given in full or as a cybergov prefixed name (``state:RU``).

        Raises:
            QueryParameterError: the value is not of the parameter's type.
        """
        text = value.isoformat() if isinstance(value, date) else str(value).strip()
        if self.type == "iri":
            return NamedNode(_expand_iri(self.name, text))
        if self.type == "date":
            # A calendar day is published as midnight xsd:dateTime: OWL 2 DL has no xsd:date.
            day = _date_text(self.name, text)
            return RdfLiteral(f"{day}T00:00:00", datatype=NamedNode(f"{_XSD}dateTime"))
        if self.type == "integer":
            if isinstance(value, bool) or not _INTEGER.fullmatch(text):
                raise QueryParameterError(
                    f"parameter {self.name!r}: {_shown(text)} is not an integer (write digits only)"
                )
            return RdfLiteral(str(int(text)), datatype=NamedNode(f"{_XSD}integer"))
        if self.type == "enumeration":
            assert self.values is not None
            if text not in self.values:
                allowed = ", ".join(self.values)
                raise QueryParameterError(
                    f"parameter {self.name!r}: {_shown(text)} is not one of {allowed}"
                )
        if len(text) > 1000:
            raise QueryParameterError(f"parameter {self.name!r}: the text is over 1000 characters")
        return RdfLiteral(text)

    def type_text(self) -> str:
        return f"one of {', '.join(self.values or ())}" if self.type == "enumeration" else self.type


def _shown(text: str) -> str:
    """A value as an error message shows it: quoted, and cut when long."""
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _expand_iri(name: str, text: str) -> str:
    prefix, colon, local = text.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        text = PREFIXES[prefix] + local
    if not _SCHEME.match(text) or text.startswith("_:"):
        raise QueryParameterError(
            f"parameter {name!r}: {_shown(text)} is not an IRI; give a full IRI "
            "(https://w3id.org/cybergov/id/state/FR) or a prefixed name (state:FR)"
        )
    try:
        return NamedNode(text).value
    except ValueError as error:
        raise QueryParameterError(
            f"parameter {name!r}: {_shown(text)} is not a valid IRI ({error})"
        ) from None


def _date_text(name: str, text: str) -> str:
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        date.fromisoformat(text)
    except ValueError:
        raise QueryParameterError(
            f"parameter {name!r}: {_shown(text)} is not a date; write it as YYYY-MM-DD"
        ) from None
    return text


class _Header(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    summary: str = Field(min_length=1)
    description: str = Field(min_length=1)
    params: tuple[Parameter, ...] = ()
    tags: tuple[str, ...] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Question:
    """A question of the catalogue, ready to be asked."""

    name: str
    summary: str
    description: str
    tags: tuple[str, ...]
    params: tuple[Parameter, ...]
    sparql: str
    path: Path

    def as_json(self) -> dict[str, Any]:
        """The question as plain data (for JSON): what a catalogue listing shows."""
        return {
            "name": self.name,
            "summary": self.summary,
            "description": self.description,
            "tags": list(self.tags),
            "params": [p.model_dump(mode="json", exclude_none=True) for p in self.params],
        }

    def parameter(self, name: str) -> Parameter:
        for parameter in self.params:
            if parameter.name == name:
                return parameter
        known = ", ".join(p.name for p in self.params) or "none"
        raise QueryParameterError(
            f"question {self.name!r} has no parameter {name!r} (its parameters: {known})"
        )

    def bind(self, values: Mapping[str, object]) -> dict[str, NamedNode | RdfLiteral]:
        """The terms for the given parameter values, with defaults filled in.

        A value given empty (``?incident=``) is refused, not taken as absent: a client that
        sends it meant something, and would get the answer for every incident.

        Raises:
            QueryParameterError: a value is unknown, empty, missing or of the wrong type.
        """
        for name in values:
            self.parameter(name)
        bound: dict[str, NamedNode | RdfLiteral] = {}
        for parameter in self.params:
            given = values.get(parameter.name)
            if isinstance(given, str) and not given.strip():
                raise QueryParameterError(
                    f"parameter {parameter.name!r} is empty (expected {parameter.type_text()}, "
                    f"for example {_shown(str(parameter.example))}): give a value, or leave the "
                    "parameter out"
                )
            value = values.get(parameter.name, parameter.default)
            if value is None or value == "":
                if parameter.required:
                    raise QueryParameterError(
                        f"question {self.name!r} needs the parameter {parameter.name!r}: it is "
                        f"required ({parameter.type_text()}, for example {parameter.example})"
                    )
                continue
            try:
                bound[parameter.name] = parameter.term(value)
            except QueryParameterError as error:
                raise QueryParameterError(
                    f"{error} (expected {parameter.type_text()}, for example "
                    f"{_shown(str(parameter.example))})"
                ) from None
        return bound

    def text(self, *, limit: int | None = None, offset: int = 0) -> str:
        """The query, with LIMIT and OFFSET for one page of the answer.

        Raises:
            QueryParameterError: ``limit`` or ``offset`` is negative, or past
                :data:`MAX_PAGE_NUMBER` (the engine reads neither past 64 bits).
        """
        for name, number in (("limit", limit), ("offset", offset)):
            if number is not None and not 0 <= number <= MAX_PAGE_NUMBER:
                raise QueryParameterError(
                    f"{name} must be a whole number from 0 to {MAX_PAGE_NUMBER:,}, not {number}"
                )
        page = ""
        if limit is not None:
            page += f"\nLIMIT {int(limit)}"
        if offset:
            page += f"\nOFFSET {int(offset)}"
        return self.sparql.rstrip() + page + "\n"


def _refuse_unfit_query(path: Path, header: _Header, sparql: str) -> None:
    try:
        checked = screen(sparql)
        where_group(sparql)
    except (QueryRefused, QuerySyntaxError) as error:
        raise HeaderError(f"{path}: the query cannot be a question: {error}") from error
    if checked.form != "SELECT":
        raise HeaderError(f"{path}: a question must be a SELECT query, not {checked.form}")
    used = {token.text[1:] for _, token in top_level(sparql) if token.kind == "var"}
    for parameter in header.params:
        if parameter.name not in used:
            raise HeaderError(f"{path}: parameter {parameter.name!r} is not used by the query")
    for depth, token in top_level(sparql):
        if depth == 0 and token.kind == "name" and token.text.upper() in ("LIMIT", "OFFSET"):
            raise HeaderError(
                f"{path}: a question has no top-level {token.text.upper()}; pages are asked "
                "with limit and offset"
            )


def read_question(path: Path) -> Question:
    """Read one question file and check its header and query strictly.

    Raises:
        HeaderError: the header breaks the schema, or the query cannot be a
            question (not a SELECT, unprojected parameter, its own LIMIT...).
    """
    query = read_query_file(path, required=_REQUIRED, allowed=_ALLOWED)
    try:
        header = _Header.model_validate(query.header)
    except (ValidationError, QueryParameterError) as error:
        raise HeaderError(f"{path}: the '#+' header does not follow the schema: {error}") from None
    names = [p.name for p in header.params]
    if len(names) != len(set(names)):
        raise HeaderError(f"{path}: two parameters have the same name")
    _refuse_unfit_query(path, header, query.sparql)
    return Question(
        name=query.name,
        summary=header.summary,
        description=" ".join(header.description.split()),
        tags=header.tags,
        params=header.params,
        sparql=query.sparql,
        path=path,
    )


class Catalogue:
    """Every question of a folder, by name."""

    def __init__(self, questions: list[Question]) -> None:
        self._questions = {q.name: q for q in sorted(questions, key=lambda q: q.name)}

    @classmethod
    def load(cls, folder: Path | None = None) -> Catalogue:
        """Read the questions of ``folder`` (``queries/questions/`` by default).

        Raises:
            HeaderError: a question file is malformed (see :func:`read_question`).
        """
        folder = folder or data_folder("queries") / "questions"
        return cls([read_question(path) for path in sorted(folder.glob("*.rq"))])

    def __iter__(self) -> Iterator[Question]:
        return iter(self._questions.values())

    def __len__(self) -> int:
        return len(self._questions)

    def get(self, name: str) -> Question:
        """The question of that name.

        Raises:
            QueryNotFound: no question has that name.
        """
        try:
            return self._questions[name]
        except KeyError:
            close = difflib.get_close_matches(name.lower(), list(self._questions), n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise QueryNotFound(
                f"no question named {name!r}{hint} (cybergov questions lists them)"
            ) from None


def example_values(question: Question) -> dict[str, Any]:
    """The example value of every parameter, as the header gives them."""
    return {p.name: p.example for p in question.params}
