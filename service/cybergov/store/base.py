"""The one interface every store implements, and the answers queries give.

Terms are pyoxigraph's (``NamedNode``, ``BlankNode``, ``Literal``) whatever the
store, so that code above the store never depends on which one runs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions, RdfFormat, Triple

from cybergov.errors import QueryError

Term = NamedNode | BlankNode | Literal
#: What a query's variables are bound to before it is evaluated.
Bindings = Mapping[str, Term]


@dataclass(frozen=True, slots=True)
class Solutions:
    """The rows of a SELECT query, in order, with the variables they bind."""

    variables: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]
    truncated: bool = False

    def as_dicts(self) -> list[dict[str, Term]]:
        """Each row as a mapping from variable name to term, unbound variables left out."""
        return [
            {
                name: value
                for name, value in zip(self.variables, row, strict=True)
                if value is not None
            }
            for row in self.rows
        ]

    def only(self) -> Term:
        """The one value of an answer of one row and one column (a count, for instance).

        Raises:
            QueryError: the answer is not one bound value.
        """
        if len(self.rows) != 1 or len(self.variables) != 1 or self.rows[0][0] is None:
            raise QueryError(
                f"one value was expected, not {len(self.rows)} rows of {len(self.variables)} "
                "variables"
            )
        return self.rows[0][0]

    def column(self, name: str) -> list[Term | None]:
        """Every value of one variable, in row order."""
        index = self.variables.index(name)
        return [row[index] for row in self.rows]


class Triples(list[Triple]):
    """The triples a CONSTRUCT or DESCRIBE query gives; ``truncated`` when cut at a row cap."""

    truncated: bool = False


QueryAnswer = Solutions | bool | Triples


def expect_solutions(answer: QueryAnswer) -> Solutions:
    """The rows of a SELECT answer.

    Raises:
        QueryError: the answer is not rows (the query was not a SELECT query).
    """
    if not isinstance(answer, Solutions):
        raise QueryError(f"a SELECT query was expected, not {_form_of(answer)}")
    return answer


def expect_boolean(answer: QueryAnswer) -> bool:
    """The boolean of an ASK answer.

    Raises:
        QueryError: the answer is not a boolean (the query was not an ASK query).
    """
    if not isinstance(answer, bool):
        raise QueryError(f"an ASK query was expected, not {_form_of(answer)}")
    return answer


def expect_triples(answer: QueryAnswer) -> Triples:
    """The triples of a CONSTRUCT or DESCRIBE answer.

    Raises:
        QueryError: the answer is not triples (the query was a SELECT or ASK query).
    """
    if not isinstance(answer, Triples):
        raise QueryError(f"a CONSTRUCT or DESCRIBE query was expected, not {_form_of(answer)}")
    return answer


def _form_of(answer: QueryAnswer) -> str:
    if isinstance(answer, bool):
        return "an ASK query"
    if isinstance(answer, Solutions):
        return "a SELECT query"
    return "a CONSTRUCT or DESCRIBE query"


def collect_solutions(result: QuerySolutions, max_rows: int | None) -> Solutions:
    """Read a pyoxigraph SELECT result into :class:`Solutions`, keeping at most ``max_rows``."""
    variables = tuple(variable.value for variable in result.variables)
    rows: list[tuple[Term | None, ...]] = []
    truncated = False
    for solution in result:
        if max_rows is not None and len(rows) >= max_rows:
            truncated = True
            break
        rows.append(tuple(solution[index] for index in range(len(variables))))
    return Solutions(variables, tuple(rows), truncated)


def collect_triples(triples: Iterable[Triple], max_rows: int | None) -> Triples:
    """The triples of a CONSTRUCT or DESCRIBE result, keeping at most ``max_rows``."""
    kept = Triples()
    for triple in triples:
        if max_rows is not None and len(kept) >= max_rows:
            kept.truncated = True
            break
        kept.append(triple)
    return kept


class Store(ABC):
    """A quad store that cybergov reads and writes.

    Queries see the union of all named graphs as their default graph.
    """

    @abstractmethod
    def query(
        self, sparql: str, *, substitutions: Bindings | None = None, max_rows: int | None = None
    ) -> QueryAnswer:
        """Answer a SPARQL query: :class:`Solutions`, a boolean or :class:`Triples`.

        ``substitutions`` binds variables to RDF terms before evaluation. Code that
        knows the form of its query calls :meth:`select`, :meth:`ask` or
        :meth:`construct`, which say what they return.

        Raises:
            QuerySyntaxError: the query does not parse.
            StoreError: the store failed.
        """

    def select(
        self, sparql: str, *, substitutions: Bindings | None = None, max_rows: int | None = None
    ) -> Solutions:
        """The rows of a SELECT query (see :meth:`query`).

        Raises:
            QueryError: the query is not a SELECT query.
            QuerySyntaxError, StoreError: see :meth:`query`.
        """
        return expect_solutions(self.query(sparql, substitutions=substitutions, max_rows=max_rows))

    def ask(self, sparql: str, *, substitutions: Bindings | None = None) -> bool:
        """The answer of an ASK query (see :meth:`query`).

        Raises:
            QueryError: the query is not an ASK query.
            QuerySyntaxError, StoreError: see :meth:`query`.
        """
        return expect_boolean(self.query(sparql, substitutions=substitutions))

    def construct(
        self, sparql: str, *, substitutions: Bindings | None = None, max_rows: int | None = None
    ) -> Triples:
        """The triples of a CONSTRUCT or DESCRIBE query (see :meth:`query`).

        Raises:
            QueryError: the query is a SELECT or an ASK query.
            QuerySyntaxError, StoreError: see :meth:`query`.
        """
        return expect_triples(self.query(sparql, substitutions=substitutions, max_rows=max_rows))

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Apply a SPARQL update in one transaction.

        Raises:
            QuerySyntaxError: the update does not parse.
            StoreError: the store failed; nothing was changed.
        """

    @abstractmethod
    def replace_graph(self, graph: str, data: bytes, *, format: RdfFormat, source: str) -> int:
        """Replace the content of a named graph with a serialised graph; return its size.

        The old content stays until the new one has been read in full.

        Raises:
            RdfSyntaxError: ``data`` does not parse (``source`` names it in the message).
            StoreError: the store failed.
        """

    @abstractmethod
    def add_triples(self, graph: str, triples: Iterable[Triple]) -> int:
        """Add to a named graph the triples the store does not hold in any graph yet.

        Queries read the union of the graphs with bag semantics (a triple held
        in two graphs is seen twice), so derived triples that are already
        asserted elsewhere are not stored again. Returns how many were added.
        """

    @abstractmethod
    def drop_graph(self, graph: str) -> None:
        """Remove a named graph and everything in it (nothing happens if it does not exist)."""

    @abstractmethod
    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""

    @abstractmethod
    def graph_triples(self, graph: str) -> Iterator[Triple]:
        """The triples of one named graph."""

    @abstractmethod
    def export(self, output: BinaryIO, format: RdfFormat, *, graph: str | None = None) -> None:
        """Serialise the whole dataset (or one graph) to ``output``."""

    @abstractmethod
    def __len__(self) -> int:
        """The number of quads in the store."""

    def graph_size(self, graph: str) -> int:
        """The number of triples in a named graph."""
        return sum(1 for _ in self.graph_triples(graph))

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release what the store holds (files, connections)."""
