"""The statements of a new graph, loaded in bulk by several stores.

An import's statements go into two stores: the working store its inferences are worked
out in, and a staged graph of the store it is written to (see
:mod:`cybergov.contribute.staging`). Loading them from Python objects makes one quad
object per statement for each store, which costs more than the load itself; their
N-Triples text is made once instead, from the triples, and each store parses it.
"""

from __future__ import annotations

from collections.abc import Iterator

from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, Triple, serialize
from pyoxigraph import Store as OxigraphStore


class GraphBatch:
    """The statements of the graph ``graph``, each once; iterated, its quads.

    Their N-Triples text is made the first time a store loads them."""

    def __init__(self, graph: str, triples: list[Triple]) -> None:
        self.graph = graph
        self.triples = triples
        self._text: bytes | None = None
        self._made = False

    def __len__(self) -> int:
        return len(self.triples)

    def __iter__(self) -> Iterator[Quad]:
        return self.quads(NamedNode(self.graph))

    def quads(self, graph: NamedNode) -> Iterator[Quad]:
        """The statements as quads of ``graph``."""
        for t in self.triples:
            yield Quad(t.subject, t.predicate, t.object, graph)

    def text(self) -> bytes | None:
        """The N-Triples text of the statements; ``None`` when one of them names a blank
        node (a store that parses the text names it anew)."""
        if not self._made:
            self._made = True
            if not any(
                isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode)
                for t in self.triples
            ):
                self._text = serialize(self.triples, None, RdfFormat.N_TRIPLES)
        return self._text

    def load(self, engine: OxigraphStore, graph: NamedNode | None = None) -> None:
        """Add the statements to ``graph`` (by default their own) of ``engine`` in bulk, not
        in one transaction. The text, made by the serialiser, is parsed without checking
        its IRIs again."""
        target = graph or NamedNode(self.graph)
        text = self.text()
        if text is None:
            engine.bulk_extend(self.quads(target))
        else:
            engine.bulk_load(text, RdfFormat.N_TRIPLES, to_graph=target, lenient=True)


__all__ = ["GraphBatch"]
