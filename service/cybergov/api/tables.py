"""Query answers as tables for pages: each IRI shown by its label and linked to its page,
each date as a date, numbers aligned as numbers."""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode

from cybergov.api.links import href
from cybergov.explore.charts import number
from cybergov.explore.lookup import labels_of
from cybergov.namespaces import readable, shorten
from cybergov.store.base import Solutions, Store


@dataclass(frozen=True, slots=True)
class Cell:
    """One value of a table: its text, its link, and what a pointer over it shows."""

    text: str
    href: str | None = None
    title: str | None = None
    numeric: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def table_of(answer: Solutions, store: Store, root: str, *, rows: int | None = None) -> Table:
    """The first ``rows`` rows of ``answer`` (all by default) as cells, with the labels of
    the IRIs they hold read from ``store``.

    Raises:
        StoreError: the store failed.
    """
    shown = answer.rows if rows is None else answer.rows[:rows]
    iris = {t.value for row in shown for t in row if isinstance(t, NamedNode)}
    labels = labels_of(store, iris) if iris else {}
    return Table(
        answer.variables,
        tuple(tuple(_cell(term, labels, root) for term in row) for row in shown),
    )


def _cell(term: NamedNode | BlankNode | Literal | None, labels: dict[str, str], root: str) -> Cell:
    if term is None:
        return Cell("")
    if isinstance(term, NamedNode):
        short = shorten(term.value)
        return Cell(labels.get(term.value, short), href(term.value, root), short)
    if isinstance(term, Literal):
        return Cell(readable(term), numeric=number(term) is not None)
    return Cell(readable(term))
