"""The embedded store: pyoxigraph in this process, in memory or on disk."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from pyoxigraph import (
    NamedNode,
    Quad,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    Variable,
    serialize,
)
from pyoxigraph import (
    Store as OxigraphStore,
)

from cybergov.errors import QueryEvaluationError, QuerySyntaxError, StoreError
from cybergov.rdf_formats import syntax_error
from cybergov.store.base import (
    Bindings,
    QueryAnswer,
    Store,
    Term,
    collect_solutions,
    collect_triples,
)

log = logging.getLogger(__name__)


def query_syntax_error(error: SyntaxError) -> QuerySyntaxError:
    """A pyoxigraph query syntax error, with its line and column when the message has them."""
    message = str(error.args[0]) if error.args else str(error)
    line = column = None
    if message.startswith("error at ") and ":" in message[9:]:
        position = message[9:].split(":", 2)
        if len(position) >= 2 and position[0].isdigit() and position[1].split(" ")[0].isdigit():
            line, column = int(position[0]), int(position[1].split(" ")[0])
    return QuerySyntaxError(f"SPARQL syntax error: {message}", line=line, column=column)


#: What pyoxigraph says when a value passes the largest buffer it reads (16 MiB).
_BUFFER_FULL = "Reached the buffer maximal size"


def evaluation_error(error: RuntimeError | MemoryError) -> QueryEvaluationError | None:
    """The client's error behind a pyoxigraph evaluation failure, or ``None`` when the
    failure is the engine's own.

    pyoxigraph raises ``RuntimeError`` for what a query asks and the engine cannot do (a
    custom function it does not know, ``SELECT (<urn:f>(1) AS ?x) {}``), and
    ``MemoryError`` when a value passes its 16 MiB buffer; a query that builds such a
    value is the client's doing. Other memory errors are the machine's.
    """
    message = str(error.args[0]) if error.args else str(error)
    if isinstance(error, MemoryError):
        if not message.startswith(_BUFFER_FULL):
            return None
        return QueryEvaluationError(
            "the answer holds a value larger than the engine can read (16 MiB): "
            f"{message}; ask for a shorter value (SUBSTR) or for fewer"
        )
    return QueryEvaluationError(f"the engine cannot evaluate the query: {message}")


class EmbeddedStore(Store):
    """A pyoxigraph store held by this process.

    Args:
        path: folder of an on-disk store (created if missing); ``None`` for memory.
        read_only: open the on-disk store read-only (several processes may then
            read it, as long as none writes); writes raise :class:`StoreError`.

    Raises:
        StoreError: the store cannot be opened.
    """

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        try:
            if path is None:
                self._store = OxigraphStore()
            elif read_only:
                self._store = OxigraphStore.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = OxigraphStore(str(path))
        except OSError as error:
            raise StoreError(f"cannot open the store at {path}: {error}") from error

    @property
    def oxigraph(self) -> OxigraphStore:
        """The underlying pyoxigraph store, for code that must use it directly.

        Code that writes through it calls :meth:`mark_changed` afterwards.
        """
        return self._store

    def mark_changed(self, graphs: Iterable[str] | None = None) -> None:
        """Record a write made directly on :attr:`oxigraph` (see :meth:`Store.wrote`)."""
        self.wrote(graphs)

    def query(
        self, sparql: str, *, substitutions: Bindings | None = None, max_rows: int | None = None
    ) -> QueryAnswer:
        bound: dict[Variable, Term | Triple] = {
            Variable(name): term for name, term in (substitutions or {}).items()
        }
        try:
            result = self._store.query(
                sparql,
                use_default_graph_as_union=True,
                substitutions=bound or None,
            )
            return read_answer(result, max_rows)
        except SyntaxError as error:
            raise query_syntax_error(error) from error
        except (RuntimeError, MemoryError) as error:
            refused = evaluation_error(error)
            if refused is None:
                raise StoreError(f"the store failed to answer the query: {error}") from error
            raise refused from error
        except OSError as error:
            raise StoreError(f"the store failed to answer the query: {error}") from error

    def update(self, sparql: str, *, graphs: Iterable[str] | None = None) -> None:
        try:
            self._store.update(sparql)
        except SyntaxError as error:
            raise query_syntax_error(error) from error
        except OSError as error:
            raise StoreError(f"the store failed to apply the update: {error}") from error
        finally:
            # Counted once the write is over: a replica made while it runs is labelled with
            # the generation before it, so it is made again afterwards.
            self.wrote(graphs)

    def replace_graph(self, graph: str, data: bytes, *, format: RdfFormat, source: str) -> int:
        staging = NamedNode(f"{graph}#staging")
        target = NamedNode(graph)
        try:
            if self._store.contains_named_graph(staging):
                self._store.remove_graph(staging)
            self._store.load(data, format, to_graph=staging)
            if not self._store.contains_named_graph(staging):
                self._store.add_graph(staging)  # an empty document still replaces the graph
            # MOVE is one update, hence one transaction: readers see the old or the new graph.
            self._store.update(f"MOVE SILENT GRAPH <{staging.value}> TO GRAPH <{target.value}>")
        except SyntaxError as error:
            self._store.remove_graph(staging)
            raise syntax_error(error, source) from error
        except OSError as error:
            raise StoreError(f"cannot store {source} in <{graph}>: {error}") from error
        finally:
            self.wrote((graph,))
        if not self._store.contains_named_graph(target):
            self._store.add_graph(target)
            self.wrote((graph,))
        return self.graph_size(graph)

    def add_triples(self, graph: str, triples: Iterable[Triple]) -> int:
        target = NamedNode(graph)
        held = self._store.quads_for_pattern
        new = {
            Quad(t.subject, t.predicate, t.object, target)
            for t in triples
            if next(held(t.subject, t.predicate, t.object, None), None) is None
        }
        try:
            if new:
                self._store.extend(new)
            elif not self._store.contains_named_graph(target):
                self._store.add_graph(target)
        finally:
            self.wrote((graph,))
        return len(new)

    def drop_graph(self, graph: str) -> None:
        target = NamedNode(graph)
        try:
            if self._store.contains_named_graph(target):
                self._store.remove_graph(target)
        finally:
            self.wrote((graph,))

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, NamedNode))

    def graph_triples(self, graph: str) -> Iterator[Triple]:
        for quad in self._store.quads_for_pattern(None, None, None, NamedNode(graph)):
            yield quad.triple

    def graph_size(self, graph: str) -> int:
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, NamedNode(graph)))

    def export(self, output: BinaryIO, format: RdfFormat, *, graph: str | None = None) -> None:
        if graph is not None:
            self._store.dump(output, format, from_graph=NamedNode(graph))
        elif format.supports_datasets:
            self._store.dump(output, format)
        else:
            # A triples-only format gets the union of the graphs.
            quads = self._store.quads_for_pattern(None, None, None, None)
            serialize((q.triple for q in quads), output, format)

    def __len__(self) -> int:
        return len(self._store)

    def flush(self) -> None:
        """Make sure everything written is on disk (no-op in memory or read-only)."""
        if self.path is not None and not self.read_only:
            self._store.flush()

    def close(self) -> None:
        self.flush()


def read_answer(
    result: QuerySolutions | QueryTriples | object, max_rows: int | None
) -> QueryAnswer:
    """Turn a pyoxigraph query result into a cybergov answer."""
    if isinstance(result, QuerySolutions):
        return collect_solutions(result, max_rows)
    if isinstance(result, QueryTriples):
        return collect_triples(result, max_rows)
    return bool(result)


__all__ = ["EmbeddedStore", "query_syntax_error", "read_answer"]
