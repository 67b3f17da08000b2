"""IRIs that stand for the blank nodes of a contribution (RDF 1.1 Concepts, section 3.5).

A contribution's blank nodes become IRIs twice: while it is validated, so that the
shapes can take them as focus nodes (under a prefix no contribution can write, and
shown as blank nodes again in the report), and when it is stored, so that the facts
derived from it can name them (under the service's ``.well-known/genid/``). A
:class:`Skolem` does both: one IRI per blank node, numbered in the order the blank
nodes are met, under a prefix of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyoxigraph import BlankNode, NamedNode, Triple


class Skolem:
    """The IRIs standing for the blank nodes of one document, under ``prefix``."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._iris: dict[str, str] = {}
        self._labels: dict[str, str] = {}

    def iri(self, label: str) -> str:
        """The IRI that stands for the blank node ``label`` (the same one every time)."""
        found = self._iris.get(label)
        if found is None:
            found = self._iris[label] = f"{self.prefix}{len(self._iris) + 1}"
            self._labels[found] = label
        return found

    def label(self, iri: str) -> str | None:
        """The blank node that ``iri`` stands for; ``None`` when it stands for none."""
        return self._labels.get(iri)

    def triples(self, triples: Iterable[Triple]) -> list[Triple]:
        """The triples with each blank node replaced by the IRI that stands for it."""
        return [Triple(self._term(t.subject), t.predicate, self._term(t.object)) for t in triples]

    def _term(self, term: Any) -> Any:  # a subject or an object, of any kind
        return NamedNode(self.iri(term.value)) if isinstance(term, BlankNode) else term


__all__ = ["Skolem"]
