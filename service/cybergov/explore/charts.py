"""Charts made from the answers of the catalogue's questions, each linked to the question
and, bar by bar, to the rows behind it.

A chart is the answer of one question drawn: the categories (years, sectors, states,
kinds of response) with one or more counts or lags each. :data:`CHARTS` says how the
questions behind the home page's charts are drawn and where each bar leads (the
incident browser narrowed to that year, sector, type or state; the list of responses
of that kind or by that responder); any other question tagged ``statistics`` is drawn
from the shape of its answer (:func:`chart_of`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal as Shape
from urllib.parse import urlencode

from pyoxigraph import Literal, NamedNode

from cybergov.namespaces import readable, shorten
from cybergov.sparql.catalogue import Question
from cybergov.store.base import Solutions, Term

_NUMBERS = frozenset(
    f"http://www.w3.org/2001/XMLSchema#{name}"
    for name in (
        "integer", "decimal", "double", "float", "int", "long", "short",
        "nonNegativeInteger", "positiveInteger", "unsignedInt", "unsignedLong",
    )
)  # fmt: skip
#: The most bars a chart shows; the rest are in the question's table.
MAX_BARS = 16


@dataclass(frozen=True, slots=True)
class ChartSpec:
    """How one question's answer is drawn."""

    question: str
    title: str
    category: str
    values: tuple[tuple[str, str], ...]
    shape: Shape["columns", "rows", "lines"] = "rows"
    #: The column whose value goes into a bar's link, when it is not ``category``.
    key: str | None = None
    #: Where a bar leads: a path and the name of its parameter that takes the key.
    rows: tuple[str, str] | None = None
    #: For an answer with one row per category and series: the column naming the series.
    series_column: str | None = None
    unit: str = ""


@dataclass(frozen=True, slots=True)
class Bar:
    """One category of a chart: its values (one per series) and the rows behind it."""

    label: str
    values: tuple[float | None, ...]
    link: str | None


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart ready to be drawn: what it shows, its bars, and where it comes from."""

    title: str
    series: tuple[str, ...]
    bars: tuple[Bar, ...]
    shape: Shape["columns", "rows", "lines"]
    question: str
    unit: str = ""
    more: int = 0

    @property
    def largest(self) -> float:
        found = [v for bar in self.bars for v in bar.values if v is not None]
        return max(found, default=0.0)


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec(
        "incidents-by-year",
        "Incidents by year of start",
        "year",
        (
            ("incidents", "incidents"),
            ("attributedToAState", "attributed to a state"),
            ("withResponse", "with a response"),
        ),
        shape="columns",
        rows=("/incidents", "year"),
        unit="incidents",
    ),
    ChartSpec(
        "incidents-by-sector",
        "Incidents by targeted sector",
        "sectorLabel",
        (("incidents", "incidents"), ("attributedToAState", "attributed to a state")),
        key="sector",
        rows=("/incidents", "sector"),
        unit="incidents",
    ),
    ChartSpec(
        "incidents-by-type",
        "Incidents by type",
        "typeLabel",
        (("incidents", "incidents"), ("attributedToAState", "attributed to a state")),
        key="type",
        rows=("/incidents", "type"),
        unit="incidents",
    ),
    ChartSpec(
        "incidents-by-attributed-state",
        "Incidents by attributed state",
        "stateLabel",
        (("incidents", "incidents"), ("withResponse", "with a response")),
        key="state",
        rows=("/incidents", "attributed"),
        unit="incidents",
    ),
    ChartSpec(
        "responses-by-kind",
        "Responses by kind",
        "kindLabel",
        (("responses", "responses"), ("incidents", "incidents answered")),
        key="kind",
        rows=("/questions/responses", "kind"),
        unit="responses",
    ),
    ChartSpec(
        "response-lags",
        "Responses by responder",
        "respondentLabel",
        (("responses", "responses"), ("incidents", "incidents answered")),
        key="respondent",
        rows=("/questions/responses", "responder"),
        unit="responses",
    ),
    ChartSpec(
        "lags-by-year",
        "Days from an incident to its first attribution and first response, by year",
        "year",
        (("averageDays", "attribution"), ("averageDays", "response")),
        shape="lines",
        rows=("/incidents", "year"),
        series_column="measure",
        unit="days (average)",
    ),
)
SPECS = {spec.question: spec for spec in CHARTS}


def number(term: Term | None) -> float | None:
    """The value of a numeric literal, else ``None``."""
    if isinstance(term, Literal) and term.datatype.value in _NUMBERS:
        try:
            return float(term.value)
        except ValueError:
            return None
    return None


def key_text(term: Term | None) -> str:
    """A value as a link's parameter gives it: an IRI as a prefixed name when one fits."""
    if isinstance(term, NamedNode):
        return shorten(term.value)
    return readable(term)


def draw(spec: ChartSpec, answer: Solutions, *, limit: int = MAX_BARS) -> Chart:
    """The chart of ``answer`` as ``spec`` says."""
    index = {name: i for i, name in enumerate(answer.variables)}
    key_column = spec.key or spec.category
    bars: list[Bar] = []
    if spec.series_column is None:
        for row in answer.rows:
            values = tuple(number(row[index[column]]) for column, _ in spec.values)
            bars.append(
                Bar(
                    readable(row[index[spec.category]]), values, _link(spec, row[index[key_column]])
                )
            )
    else:
        by_category: dict[str, dict[str, float | None]] = {}
        keys: dict[str, Term | None] = {}
        for row in answer.rows:
            label = readable(row[index[spec.category]])
            series = readable(row[index[spec.series_column]])
            by_category.setdefault(label, {})[series] = number(row[index[spec.values[0][0]]])
            keys[label] = row[index[key_column]]
        for label, measured in by_category.items():
            bars.append(
                Bar(
                    label,
                    tuple(measured.get(name) for _, name in spec.values),
                    _link(spec, keys[label]),
                )
            )
    shown = bars if spec.shape != "rows" else bars[:limit]
    return Chart(
        spec.title,
        tuple(name for _, name in spec.values),
        tuple(shown),
        spec.shape,
        spec.question,
        spec.unit,
        more=len(bars) - len(shown),
    )


def chart_of(question: Question, answer: Solutions) -> Chart | None:
    """The chart of a question's answer: as :data:`CHARTS` says, or, for a question that
    counts (tagged ``statistics``), bars of its numeric columns by its first other one."""
    spec = SPECS.get(question.name)
    if spec is not None:
        return draw(spec, answer)
    if "statistics" not in question.tags:
        return None
    return chart_of_answer(question.summary, answer, question.name)


def chart_of_answer(title: str, answer: Solutions, question: str = "") -> Chart | None:
    """Bars of an answer's numeric columns (three at most) by its first other column
    (a label column if there is one); ``None`` when it has no such columns."""
    if not answer.rows:
        return None
    numeric = [
        name
        for i, name in enumerate(answer.variables)
        if all(number(row[i]) is not None for row in answer.rows if row[i] is not None)
        and any(row[i] is not None for row in answer.rows)
    ]
    labels = [name for name in answer.variables if name not in numeric]
    if not numeric or not labels:
        return None
    category = next((n for n in labels if n.lower().endswith("label")), labels[0])
    generic = ChartSpec(
        question,
        title,
        category,
        tuple((name, name) for name in numeric[:3]),
    )
    return draw(generic, answer)


def _link(spec: ChartSpec, key: Term | None) -> str | None:
    if spec.rows is None or key is None:
        return None
    path, parameter = spec.rows
    return f"{path}?{urlencode({parameter: key_text(key)})}"


def home_charts() -> Sequence[ChartSpec]:
    """The charts of the home page, in their order."""
    return CHARTS
