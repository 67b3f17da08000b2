"""The description of one resource: what the graph says of it and in which named graph,
what points at it, and the labels of everything it links to.

This is what a dereferenced IRI answers with. The resource is bound as an RDF
term (never pasted into the query text), so an IRI from a URL cannot change
the query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from pyoxigraph import BlankNode, NamedNode, Quad, Triple
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from cybergov.errors import ResourceNotFound
from cybergov.labels import Labels, compact
from cybergov.namespaces import CG, INFERRED_GRAPH_PREFIX
from cybergov.store.base import Solutions, Store, Term

MAX_STATEMENTS = 5_000
MAX_INCOMING = 1_000

_LABEL = f"<{RDFS.label}>"
_RULE = f"<{CG.derivedByRule}>"

_OUTGOING = f"""
SELECT ?s ?p ?o ?g ?plabel ?olabel ?glabel ?rule ?rlabel WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  OPTIONAL {{ ?p {_LABEL} ?plabel }}
  OPTIONAL {{ ?o {_LABEL} ?olabel }}
  OPTIONAL {{ ?g {_LABEL} ?glabel }}
  OPTIONAL {{ ?g {_RULE} ?rule . ?rule {_LABEL} ?rlabel }}
}}
LIMIT {{limit}}
"""

_NESTED = f"""
SELECT ?s ?b ?p ?o ?g ?plabel ?olabel WHERE {{
  GRAPH ?outer {{ ?s ?link ?b }}
  FILTER(isBlank(?b))
  GRAPH ?g {{ ?b ?p ?o }}
  OPTIONAL {{ ?p {_LABEL} ?plabel }}
  OPTIONAL {{ ?o {_LABEL} ?olabel }}
}}
LIMIT {{limit}}
"""

_INCOMING = f"""
SELECT ?o ?s ?p ?g ?slabel ?plabel ?glabel ?rule ?rlabel WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  OPTIONAL {{ ?s {_LABEL} ?slabel }}
  OPTIONAL {{ ?p {_LABEL} ?plabel }}
  OPTIONAL {{ ?g {_LABEL} ?glabel }}
  OPTIONAL {{ ?g {_RULE} ?rule . ?rule {_LABEL} ?rlabel }}
}}
LIMIT {{limit}}
"""


@dataclass(frozen=True, slots=True)
class Statement:
    """One fact about the resource (or about a blank node it links to), with its graph."""

    predicate: NamedNode
    object: Term
    graph: str | None

    @property
    def inferred_by(self) -> str | None:
        """The name of the rule that derived this fact, when it was derived."""
        if self.graph and self.graph.startswith(INFERRED_GRAPH_PREFIX):
            return self.graph[len(INFERRED_GRAPH_PREFIX) :]
        return None


@dataclass(frozen=True, slots=True)
class IncomingLink:
    """A fact of another resource that points at this one."""

    subject: NamedNode | BlankNode
    predicate: NamedNode
    graph: str | None

    @property
    def inferred_by(self) -> str | None:
        if self.graph and self.graph.startswith(INFERRED_GRAPH_PREFIX):
            return self.graph[len(INFERRED_GRAPH_PREFIX) :]
        return None


@dataclass(frozen=True, slots=True)
class Description:
    """What the graph says of one resource."""

    iri: str
    statements: tuple[Statement, ...]
    incoming: tuple[IncomingLink, ...]
    nested: dict[str, tuple[Statement, ...]] = field(default_factory=dict)
    labels: Labels = field(default_factory=Labels)
    more_statements: bool = False
    more_incoming: bool = False

    def label(self, iri: str) -> str | None:
        return self.labels.get(iri)

    @property
    def title(self) -> str:
        """The resource's label, or its compact IRI when it has none."""
        return self.labels.get(self.iri) or compact(self.iri)

    def values(self, predicate: str) -> list[Term]:
        """The distinct objects of one predicate, in order."""
        seen: dict[str, Term] = {}
        for statement in self.statements:
            if statement.predicate.value == predicate:
                seen.setdefault(str(statement.object), statement.object)
        return list(seen.values())

    @property
    def types(self) -> list[Term]:
        return self.values(str(RDF.type))

    @property
    def asserted_types(self) -> list[Term]:
        """The types the curated data or a contribution states (not those a rule derived)."""
        seen: dict[str, Term] = {}
        for statement in self.statements:
            if statement.predicate.value == str(RDF.type) and statement.inferred_by is None:
                seen.setdefault(str(statement.object), statement.object)
        return list(seen.values())

    @property
    def sources(self) -> list[Term]:
        return self.values(str(DCTERMS.source))

    @property
    def derived_by(self) -> list[Term]:
        return self.values(str(CG.derivedByRule))

    @property
    def explanation(self) -> str | None:
        found = self.values(str(CG.explanation))
        return found[0].value if found else None

    @property
    def graphs(self) -> list[str]:
        return sorted({s.graph for s in self.statements if s.graph})


def _rows(store: Store, sparql: str, bound: dict[str, Term]) -> list[dict[str, Term]]:
    answer = store.query(sparql, substitutions=bound)
    assert isinstance(answer, Solutions)
    return answer.as_dicts()


def _graph(row: dict[str, Term]) -> str | None:
    graph = row.get("g")
    return graph.value if isinstance(graph, NamedNode) else None


_T = TypeVar("_T")


def _dedupe(items: Iterable[_T]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(items))


def _sort_key(statement: Statement) -> tuple[str, str, str]:
    return (statement.predicate.value, str(statement.object), statement.graph or "")


def describe(
    store: Store,
    iri: str,
    *,
    max_statements: int = MAX_STATEMENTS,
    max_incoming: int = MAX_INCOMING,
) -> Description:
    """Describe the resource ``iri`` from every named graph of ``store``.

    Raises:
        ResourceNotFound: nothing in the store has ``iri`` as its subject.
        StoreError: the store failed.
    """
    try:
        node = NamedNode(iri)
    except ValueError as error:
        raise ResourceNotFound(f"<{iri}> is not a valid IRI: {error}") from error
    labels = Labels()
    rows = _rows(store, _OUTGOING.replace("{limit}", str(max_statements + 1)), {"s": node})
    if not rows:
        raise ResourceNotFound(f"nothing is known of <{iri}>")
    statements: list[Statement] = []
    for row in rows:
        predicate = row["p"]
        assert isinstance(predicate, NamedNode)
        statements.append(Statement(predicate, row["o"], _graph(row)))
        labels.offer(predicate, row.get("plabel"))
        labels.offer(row["o"], row.get("olabel"))
        labels.offer(row.get("g"), row.get("glabel"))
        labels.offer(row.get("rule"), row.get("rlabel"))
        if predicate.value == str(RDFS.label) or predicate.value == str(SKOS.prefLabel):
            labels.offer(node, row["o"])
    kept = _dedupe(statements)
    nested = (
        _nested(store, node, labels, max_statements)
        if any(isinstance(s.object, BlankNode) for s in kept)
        else {}
    )
    incoming_rows = _rows(store, _INCOMING.replace("{limit}", str(max_incoming + 1)), {"o": node})
    incoming: list[IncomingLink] = []
    for row in incoming_rows[:max_incoming]:
        subject, predicate = row["s"], row["p"]
        assert isinstance(subject, NamedNode | BlankNode) and isinstance(predicate, NamedNode)
        incoming.append(IncomingLink(subject, predicate, _graph(row)))
        labels.offer(subject, row.get("slabel"))
        labels.offer(predicate, row.get("plabel"))
        labels.offer(row.get("g"), row.get("glabel"))
        labels.offer(row.get("rule"), row.get("rlabel"))
    return Description(
        iri=iri,
        statements=tuple(sorted(kept[:max_statements], key=_sort_key)),
        incoming=tuple(
            sorted(
                _dedupe(incoming),
                key=lambda link: (link.predicate.value, str(link.subject), link.graph or ""),
            )
        ),
        nested=nested,
        labels=labels,
        more_statements=len(kept) > max_statements,
        more_incoming=len(incoming_rows) > max_incoming,
    )


def _nested(
    store: Store, node: NamedNode, labels: Labels, limit: int
) -> dict[str, tuple[Statement, ...]]:
    """The statements of the blank nodes the resource links to (one level deep)."""
    found: dict[str, list[Statement]] = {}
    for row in _rows(store, _NESTED.replace("{limit}", str(limit)), {"s": node}):
        predicate = row["p"]
        assert isinstance(predicate, NamedNode)
        found.setdefault(row["b"].value, []).append(Statement(predicate, row["o"], _graph(row)))
        labels.offer(predicate, row.get("plabel"))
        labels.offer(row["o"], row.get("olabel"))
    return {key: tuple(sorted(_dedupe(value), key=_sort_key)) for key, value in found.items()}


def description_quads(description: Description) -> list[Quad]:
    """The resource's statements, each in its named graph, then the labels of what it links to.

    Blank nodes keep the identity the store gives them, so that the same
    request gives the same document; the labels of linked resources go in the
    default graph.
    """
    subject = NamedNode(description.iri)
    quads: list[Quad] = []
    for statement in description.statements:
        quads.append(_quad(subject, statement))
    for key, statements in description.nested.items():
        quads += [_quad(BlankNode(key), statement) for statement in statements]
    linked = [s.object for s in description.statements]
    linked += [s.object for nested in description.nested.values() for s in nested]
    for term in _dedupe(t for t in linked if isinstance(t, NamedNode)):
        label = description.labels.literal(term.value)
        if label is not None and term.value != description.iri:
            quads.append(Quad(term, RDFS_LABEL, label))
    return list(_dedupe(quads))


def _quad(subject: NamedNode | BlankNode, statement: Statement) -> Quad:
    if statement.graph is None:
        return Quad(subject, statement.predicate, statement.object)
    return Quad(subject, statement.predicate, statement.object, NamedNode(statement.graph))


def description_triples(description: Description) -> list[Triple]:
    """The description as one graph: the union of :func:`description_quads`, each triple once."""
    return list(_dedupe(quad.triple for quad in description_quads(description)))


RDFS_LABEL = NamedNode(str(RDFS.label))

__all__ = [
    "Description",
    "IncomingLink",
    "Statement",
    "describe",
    "description_quads",
    "description_triples",
]
