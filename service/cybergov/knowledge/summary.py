"""A summary of what a store holds: graphs, triples and instances per class."""

from __future__ import annotations

from dataclasses import dataclass

from cybergov.namespaces import CG
from cybergov.store.base import Store

_CLASS_COUNTS = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?class (SAMPLE(?name) AS ?label) (COUNT(DISTINCT ?resource) AS ?count)
WHERE {{
  ?resource a ?class .
  FILTER(STRSTARTS(STR(?class), "{CG}"))
  OPTIONAL {{ ?class rdfs:label ?name }}
}}
GROUP BY ?class
ORDER BY DESC(?count) ?class
"""


@dataclass(frozen=True, slots=True)
class ClassCount:
    iri: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class StoreSummary:
    quads: int
    graphs: int
    classes: tuple[ClassCount, ...]

    def count(self, local_name: str) -> int:
        """The number of instances of ``cg:<local_name>`` (0 when there are none)."""
        iri = f"{CG}{local_name}"
        return next((c.count for c in self.classes if c.iri == iri), 0)


def summarise(store: Store) -> StoreSummary:
    """Count the store's quads, named graphs and the instances of each cybergov class."""
    answer = store.select(_CLASS_COUNTS)
    classes = tuple(
        ClassCount(
            iri=row["class"].value,
            label=row["label"].value if "label" in row else row["class"].value,
            count=int(row["count"].value),
        )
        for row in answer.as_dicts()
    )
    return StoreSummary(quads=len(store), graphs=len(store.named_graphs()), classes=classes)
