"""Changes to the store that readers never see half made.

A change that touches several graphs at once (a contribution with the facts
the rules derive from it, a withdrawal, a reload of the data) is worked out on
a scratch copy of the store, in memory: the copy is edited, its inferences are
computed again, and only then is the difference between the copy and the store
applied to the store, in one SPARQL update. One update is one transaction, on
pyoxigraph as on a SPARQL server: a query sees the store as it was before or as
it is after, never a graph half rebuilt or a contribution without its derived
facts.

SPARQL Update cannot name an existing blank node, so a difference is written
with IRIs and literals only; the few statements about blank nodes that differ
(the rules derive none from the bundled data, and contributions reach the store
with their blank nodes replaced by IRIs) are applied to an embedded store
through its own interface right after the update, and refused for a remote one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pyoxigraph import BlankNode, NamedNode, Quad, Triple

from cybergov.errors import StoreError, WriteTimeout
from cybergov.knowledge.load import refresh_inferences, set_graph_metadata
from cybergov.namespaces import INFERRED_GRAPH_PREFIX, META_GRAPH
from cybergov.store.base import Store
from cybergov.store.batch import GraphBatch
from cybergov.store.embedded import EmbeddedStore
from cybergov.store.factory import memory_store

log = logging.getLogger(__name__)

_T = TypeVar("_T")


@dataclass(slots=True)
class Changes:
    """The difference between a store and what it should become, graph by graph."""

    removed: dict[str, set[Triple]] = field(default_factory=dict)
    added: dict[str, set[Triple]] = field(default_factory=dict)
    dropped: set[str] = field(default_factory=set)
    created: set[str] = field(default_factory=set)
    #: Graphs the store does not hold, written whole: their statements (each once). An
    #: embedded store receives them by a bulk load into a graph of their own, moved in place
    #: by the update (:func:`staged`); a remote store in the update's ``INSERT DATA``.
    loaded: dict[str, GraphBatch] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (
            any(self.removed.values()) or any(self.added.values()) or any(self.loaded.values())
        )

    def count(self, *, prefix: str = "") -> tuple[int, int]:
        """How many statements are added and removed in graphs whose IRI starts with ``prefix``."""
        added = sum(len(t) for g, t in self.added.items() if g.startswith(prefix))
        added += sum(len(t) for g, t in self.loaded.items() if g.startswith(prefix))
        removed = sum(len(t) for g, t in self.removed.items() if g.startswith(prefix))
        return added, removed

    def update_text(self, *, moved: Iterable[str] = ()) -> str:
        """The SPARQL update that makes the change (blank-node statements left out); the
        ``moved`` graphs of :attr:`loaded` are moved from their :func:`staged` graph."""
        moving = set(moved)
        operations = [f"DROP SILENT GRAPH <{graph}>" for graph in sorted(self.dropped)]
        removed = _data_block(self.removed, skip=self.dropped)
        if removed:
            operations.append(f"DELETE DATA {{\n{removed}}}")
        inserted: dict[str, Collection[Triple]] = {
            **self.added,
            **{g: t.triples for g, t in self.loaded.items() if g not in moving},
        }
        added = _data_block(inserted)
        if added:
            operations.append(f"INSERT DATA {{\n{added}}}")
        empty = {g for g, t in self.loaded.items() if not t}
        operations += [f"CREATE SILENT GRAPH <{g}>" for g in sorted(self.created | empty)]
        operations += [
            f"MOVE SILENT GRAPH <{staged(graph)}> TO GRAPH <{graph}>" for graph in sorted(moving)
        ]
        return " ;\n".join(operations)

    def apply(self, store: Store) -> None:
        """Make the change on ``store`` in one update.

        Raises:
            StoreError: the store refused the update, or the change holds statements
                about blank nodes that a remote store cannot be told of.
        """
        embedded = isinstance(store, EmbeddedStore)
        parts: tuple[tuple[str, Mapping[str, Collection[Triple]]], ...] = (
            ("add", self.added),
            ("remove", self.removed),
            *((("add", {g: t.triples for g, t in self.loaded.items()}),) if not embedded else ()),
        )
        blank = [
            (graph, triple, kind)
            for kind, part in parts
            for graph, triples in part.items()
            if graph not in self.dropped
            for triple in triples
            if _has_blank(triple)
        ]
        if blank and not embedded:
            raise StoreError(
                f"{len(blank)} changed statements are about blank nodes, which a SPARQL "
                "update cannot name; the store was not changed"
            )
        moved = sorted(g for g, t in self.loaded.items() if t) if embedded else []
        if moved:
            assert isinstance(store, EmbeddedStore)
            _load_staged(store, {graph: self.loaded[graph] for graph in moved})
        text = self.update_text(moved=moved)
        try:
            if text:
                store.update(text, graphs=self.graphs)
        finally:
            if moved:
                assert isinstance(store, EmbeddedStore)
                for graph in moved:  # left only when the update failed
                    store.oxigraph.remove_graph(NamedNode(staged(graph)))
        if blank:
            assert isinstance(store, EmbeddedStore)
            log.warning("%d statements about blank nodes applied after the update", len(blank))
            engine = store.oxigraph
            for graph, triple, kind in blank:
                quad = Quad(triple.subject, triple.predicate, triple.object, NamedNode(graph))
                if kind == "add":
                    engine.add(quad)
                else:
                    engine.remove(quad)
            store.mark_changed(self.graphs)

    @property
    def graphs(self) -> frozenset[str]:
        """Every graph the change writes."""
        return (
            frozenset(self.removed)
            | frozenset(self.added)
            | frozenset(self.loaded)
            | self.dropped
            | self.created
        )


def staged(graph: str) -> str:
    """The graph a new graph's statements are loaded into before the update moves them."""
    return f"{graph}#staging"


def _load_staged(store: EmbeddedStore, loaded: dict[str, GraphBatch]) -> None:
    """Each graph's statements loaded in bulk into its :func:`staged` graph (emptied first)."""
    engine = store.oxigraph
    for graph, batch in loaded.items():
        target = NamedNode(staged(graph))
        engine.remove_graph(target)
        batch.load(engine, target)
        engine.add_graph(target)  # an empty graph is still created by the move


def _has_blank(triple: Triple) -> bool:
    return isinstance(triple.subject, BlankNode) or isinstance(triple.object, BlankNode)


def _data_block(part: Mapping[str, Collection[Triple]], *, skip: Iterable[str] = ()) -> str:
    """``GRAPH <g> { s p o . ... }`` for each graph, terms written by pyoxigraph."""
    skipped = set(skip)
    blocks = []
    for graph in sorted(part):
        if graph in skipped:
            continue
        lines = [
            f"  {t.subject} {t.predicate} {t.object} ." for t in part[graph] if not _has_blank(t)
        ]
        if lines:
            blocks.append(f" GRAPH <{graph}> {{\n" + "\n".join(sorted(lines)) + "\n }\n")
    return "".join(blocks)


def scratch_copy(store: Store) -> EmbeddedStore:
    """A copy of every graph of ``store`` in a new in-memory store (empty graphs included).

    Raises:
        StoreError: the store failed to answer.
    """
    scratch = memory_store()
    engine = scratch.oxigraph
    if isinstance(store, EmbeddedStore):
        source = store.oxigraph
        engine.extend(source.quads_for_pattern(None, None, None, None))
        for graph in source.named_graphs():
            engine.add_graph(graph)
    else:
        for name in store.named_graphs():
            graph = NamedNode(name)
            engine.extend(
                Quad(t.subject, t.predicate, t.object, graph) for t in store.graph_triples(name)
            )
            engine.add_graph(graph)
    scratch.mark_changed()
    return scratch


def difference(
    store: Store, target: EmbeddedStore, *, only: Callable[[str], bool] | None = None
) -> Changes:
    """What must change in ``store`` for its graphs to be those of ``target``.

    ``only`` limits the comparison to the graphs it accepts (every graph by default).

    Raises:
        StoreError: a store failed to answer.
    """
    before = set(store.named_graphs())
    after = set(target.named_graphs())
    changes = Changes()
    for graph in sorted(before | after):
        if only is not None and not only(graph):
            continue
        if graph not in after:
            changes.dropped.add(graph)
            changes.removed[graph] = set(store.graph_triples(graph))
            continue
        new = set(target.graph_triples(graph))
        old = set(store.graph_triples(graph)) if graph in before else set()
        if graph not in before and not new:
            changes.created.add(graph)
        if old - new:
            changes.removed[graph] = old - new
        if new - old:
            changes.added[graph] = new - old
    return changes


def derived_or_meta(graph: str) -> bool:
    """The graphs that every change may touch: the inferred graphs and the metadata graph."""
    return graph.startswith(INFERRED_GRAPH_PREFIX) or graph == META_GRAPH


def stage(
    store: Store,
    edit: Callable[[EmbeddedStore], _T],
    *,
    touches: Callable[[str], bool] | None = None,
    infer: bool = True,
    root: Path | None = None,
    seconds: float | None = None,
) -> tuple[_T, Changes]:
    """Edit a scratch copy of ``store``, refresh its inferences, and apply the difference.

    ``touches`` says which graphs ``edit`` may change, besides the inferred graphs and
    the metadata graph (every graph when it is ``None``); only those are compared.
    With ``infer`` false the inferences are left as ``edit`` leaves them. With ``seconds``,
    a change that is not worked out within that time is given up before the store is
    touched.

    The caller makes sure no other change of the store runs at the same time.

    Raises:
        whatever ``edit`` raises (the store is then unchanged);
        DataError, HeaderError: the inference rules cannot be read or do not converge;
        WriteTimeout: the change was not worked out within ``seconds``; the store is unchanged;
        StoreError: the store failed.
    """
    started = time.perf_counter()
    deadline = None if seconds is None else time.monotonic() + seconds
    scratch = scratch_copy(store)
    copied = time.perf_counter()
    result = edit(scratch)
    if infer:
        refresh_inferences(scratch, force=True, root=root, deadline=deadline)
    worked = time.perf_counter()

    def compared(graph: str) -> bool:
        return touches is None or touches(graph) or derived_or_meta(graph)

    changes = difference(store, scratch, only=compared)
    if deadline is not None and time.monotonic() > deadline:
        raise WriteTimeout(
            f"the change could not be worked out within {seconds:g} s; nothing was changed"
        )
    changes.apply(store)
    added, removed = changes.count()
    log.info(
        "change: %d statements added, %d removed (copy %.0f ms, work %.0f ms, apply %.0f ms)",
        added,
        removed,
        (copied - started) * 1000,
        (worked - copied) * 1000,
        (time.perf_counter() - worked) * 1000,
    )
    return result, changes


def stage_new_graph(
    store: Store,
    graph: str,
    statements: list[Triple],
    description: list[tuple[str, str]],
    *,
    root: Path | None = None,
) -> Changes:
    """Add a graph the store does not hold yet, its ``statements`` (each once), described
    in the metadata graph, with the inferences it brings, in one update, without copying
    the store.

    A scratch store holds only the metadata graph (with the new graph's ``description``);
    the rules read the store's recorded graphs and the new statements beside it
    (:func:`cybergov.knowledge.load.refresh_inferences` with ``source`` and ``extra``),
    which gives the scratch store the inferred graphs the store will have; the difference
    in the inferred graphs and the metadata graph, with the new graph written whole
    (:attr:`Changes.loaded`: on an embedded store a bulk load moved in place by the
    update), is applied as :func:`stage` applies it. The statements are one
    :class:`~cybergov.store.batch.GraphBatch`: the rules' working store and the staged
    graph load the same text.

    The caller makes sure no other change of the store runs at the same time.

    Raises:
        ValueError: the store holds ``graph`` already.
        DataError, HeaderError: the inference rules cannot be read or do not converge;
        StoreError: the store failed.
    """
    if graph in store.named_graphs():
        raise ValueError(f"{graph} is in the store already")
    started = time.perf_counter()
    scratch = memory_store()
    meta = NamedNode(META_GRAPH)
    scratch.oxigraph.extend(
        Quad(t.subject, t.predicate, t.object, meta) for t in store.graph_triples(META_GRAPH)
    )
    set_graph_metadata(scratch, graph, description)
    batch = GraphBatch(graph, statements)
    report = refresh_inferences(
        scratch, force=True, root=root, source=store, extra=batch, additions=True
    )
    worked = time.perf_counter()
    if report is not None and report.additions is not None:  # what the change adds only
        changes = difference(store, scratch, only=lambda g: g == META_GRAPH)
        changes.added.update((g, set(triples)) for g, triples in report.additions.items())
    else:
        changes = difference(store, scratch, only=derived_or_meta)
    changes.loaded[graph] = batch
    changes.apply(store)
    added, removed = changes.count()
    log.info(
        "new graph: %d statements added, %d removed (work %.0f ms, apply %.0f ms)",
        added,
        removed,
        (worked - started) * 1000,
        (time.perf_counter() - worked) * 1000,
    )
    return changes


__all__ = [
    "Changes",
    "derived_or_meta",
    "difference",
    "scratch_copy",
    "stage",
    "stage_new_graph",
]
