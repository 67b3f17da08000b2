"""Small reads the pages make: the labels of the IRIs a table shows, and the types of one
resource."""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import NamedNode

from cybergov.exchange.labels import Labels
from cybergov.store.base import Store

_LABELS = """
SELECT ?s ?label WHERE {{
  VALUES ?s {{ {values} }}
  ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label .
}}
"""
_TYPES = "SELECT DISTINCT ?s ?type WHERE { ?s a ?type }"


def labels_of(store: Store, iris: Iterable[str]) -> dict[str, str]:
    """The best label (English first) of each of ``iris`` that has one.

    Raises:
        StoreError: the store failed.
    """
    labels = Labels()
    wanted = sorted(set(iris))
    for start in range(0, len(wanted), 400):
        block = " ".join(str(NamedNode(iri)) for iri in wanted[start : start + 400])
        for subject, label in store.select(_LABELS.format(values=block)).rows:
            labels.offer(subject, label)
    return labels.as_dict()


def types_of(store: Store, iri: str) -> set[str]:
    """Every class ``iri`` belongs to, asserted or derived.

    Raises:
        StoreError: the store failed.
    """
    rows = store.select(_TYPES, substitutions={"s": NamedNode(iri)}).rows
    return {row[1].value for row in rows if isinstance(row[1], NamedNode)}


_COUNTS = """
PREFIX cg: <https://w3id.org/cybergov/ontology#>
SELECT ?kind (COUNT(DISTINCT ?thing) AS ?count) WHERE {
  VALUES (?kind ?class) {
    ("incidents" cg:Incident) ("attributions" cg:Attribution) ("responses" cg:Response)
    ("actors" cg:Actor) ("instruments" cg:Instrument) ("norms" cg:Norm)
  }
  ?thing a ?class .
  FILTER NOT EXISTS { ?thing a cg:DerivedAttribution }
}
GROUP BY ?kind
"""


def counts(store: Store) -> dict[str, int]:
    """How many incidents, attributions (recorded ones), responses, actors, instruments and
    norms the graph holds.

    Raises:
        StoreError: the store failed.
    """
    return {
        str(kind.value): int(count.value)
        for kind, count in store.select(_COUNTS).rows
        if kind is not None and count is not None
    }
