"""The description of one resource: what the graph says of it and in which named graph,
what points at it, and the labels of everything it links to.

This is what a dereferenced IRI answers with. The resource is bound as an RDF
term (never pasted into the query text), so an IRI from a URL cannot change
the query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import TypeVar

from pyoxigraph import BlankNode, NamedNode, Quad, Triple
from pyoxigraph import Store as OxigraphStore
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from cybergov.errors import ResourceNotFound
from cybergov.exchange.labels import Labels
from cybergov.namespaces import CG, INFERRED_GRAPH_PREFIX, shorten
from cybergov.store.base import Store, Term
from cybergov.store.embedded import EmbeddedStore

MAX_STATEMENTS = 5_000
MAX_INCOMING = 1_000

RDFS_LABEL = NamedNode(str(RDFS.label))
RULE = NamedNode(str(CG.derivedByRule))
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


def rule_of(graph: str | None) -> str | None:
    """The name of the rule that made ``graph``, when it is an inferred graph."""
    if graph and graph.startswith(INFERRED_GRAPH_PREFIX):
        return graph[len(INFERRED_GRAPH_PREFIX) :]
    return None


@dataclass(frozen=True, slots=True)
class Statement:
    """One fact about the resource (or about a blank node it links to), with its graph."""

    predicate: NamedNode
    object: Term
    graph: str | None

    @property
    def inferred_by(self) -> str | None:
        """The name of the rule that derived this fact, when it was derived."""
        return rule_of(self.graph)


@dataclass(frozen=True, slots=True)
class IncomingLink:
    """A fact of another resource that points at this one."""

    subject: NamedNode | BlankNode
    predicate: NamedNode
    graph: str | None

    @property
    def inferred_by(self) -> str | None:
        """The name of the rule that derived this link, when it was derived."""
        return rule_of(self.graph)


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
        return self.labels.get(self.iri) or shorten(self.iri)

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
    return store.select(sparql, substitutions=bound).as_dicts()


def _graph(row: dict[str, Term]) -> str | None:
    graph = row.get("g")
    return graph.value if isinstance(graph, NamedNode) else None


_T = TypeVar("_T")


def _dedupe(items: Iterable[_T]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(items))


def _sort_key(statement: Statement) -> tuple[str, str, str]:
    return (statement.predicate.value, str(statement.object), statement.graph or "")


@dataclass(slots=True)
class _Facts:
    """What one read of the store found about a resource."""

    statements: list[Statement] = field(default_factory=list)
    incoming: list[IncomingLink] = field(default_factory=list)
    nested: dict[str, list[Statement]] = field(default_factory=dict)
    labels: Labels = field(default_factory=Labels)


def _read_with_sparql(store: Store, node: NamedNode, limit: int, incoming_limit: int) -> _Facts:
    """Any store: three queries, the resource bound as a term."""
    facts = _Facts()
    labels = facts.labels
    for row in _rows(store, _OUTGOING.replace("{limit}", str(limit)), {"s": node}):
        predicate = row["p"]
        assert isinstance(predicate, NamedNode)
        facts.statements.append(Statement(predicate, row["o"], _graph(row)))
        labels.offer(predicate, row.get("plabel"))
        labels.offer(row["o"], row.get("olabel"))
        labels.offer(row.get("g"), row.get("glabel"))
        labels.offer(row.get("rule"), row.get("rlabel"))
    if any(isinstance(s.object, BlankNode) for s in facts.statements):
        for row in _rows(store, _NESTED.replace("{limit}", str(limit)), {"s": node}):
            predicate = row["p"]
            assert isinstance(predicate, NamedNode)
            inner = Statement(predicate, row["o"], _graph(row))
            facts.nested.setdefault(row["b"].value, []).append(inner)
            labels.offer(predicate, row.get("plabel"))
            labels.offer(row["o"], row.get("olabel"))
    for row in _rows(store, _INCOMING.replace("{limit}", str(incoming_limit)), {"o": node}):
        subject, predicate = row["s"], row["p"]
        assert isinstance(subject, NamedNode | BlankNode) and isinstance(predicate, NamedNode)
        facts.incoming.append(IncomingLink(subject, predicate, _graph(row)))
        labels.offer(subject, row.get("slabel"))
        labels.offer(predicate, row.get("plabel"))
        labels.offer(row.get("g"), row.get("glabel"))
        labels.offer(row.get("rule"), row.get("rlabel"))
    return facts


def _read_with_patterns(
    store: OxigraphStore, node: NamedNode, limit: int, incoming_limit: int
) -> _Facts:
    """The embedded store: the same facts from its quad patterns, without parsing queries."""
    facts = _Facts()
    to_label: set[NamedNode | BlankNode] = set()

    def graph_of(quad: Quad) -> str | None:
        if isinstance(quad.graph_name, NamedNode):
            to_label.add(quad.graph_name)
            return quad.graph_name.value
        return None

    for quad in islice(store.quads_for_pattern(node, None, None, None), limit):
        if isinstance(quad.object, Triple):
            continue  # RDF-star quoted triples are not part of cybergov's data
        facts.statements.append(Statement(quad.predicate, quad.object, graph_of(quad)))
        to_label.add(quad.predicate)
        if isinstance(quad.object, NamedNode):
            to_label.add(quad.object)
        elif isinstance(quad.object, BlankNode):
            to_label.add(quad.object)
            for inner in islice(store.quads_for_pattern(quad.object, None, None, None), limit):
                if isinstance(inner.object, Triple):
                    continue
                statement = Statement(inner.predicate, inner.object, graph_of(inner))
                facts.nested.setdefault(quad.object.value, []).append(statement)
                to_label.add(inner.predicate)
                if isinstance(inner.object, NamedNode):
                    to_label.add(inner.object)
    for quad in islice(store.quads_for_pattern(None, None, node, None), incoming_limit):
        assert isinstance(quad.subject, NamedNode | BlankNode)
        facts.incoming.append(IncomingLink(quad.subject, quad.predicate, graph_of(quad)))
        to_label.update((quad.subject, quad.predicate))
    for graph in [t for t in to_label if t.value.startswith(INFERRED_GRAPH_PREFIX)]:
        to_label.update(
            q.object
            for q in store.quads_for_pattern(graph, RULE, None, None)
            if isinstance(q.object, NamedNode)
        )
    for term in to_label:
        for quad in store.quads_for_pattern(term, RDFS_LABEL, None, None):
            facts.labels.offer(term, quad.object)
    return facts


def describe_resource(
    store: Store,
    iri: str,
    *,
    max_statements: int = MAX_STATEMENTS,
    max_incoming: int = MAX_INCOMING,
) -> Description:
    """Describe the resource ``iri`` from every named graph of ``store``.

    The embedded store is read through its quad patterns, any other store
    with SPARQL; both give the same description.

    Raises:
        ResourceNotFound: nothing in the store has ``iri`` as its subject.
        StoreError: the store failed.
    """
    try:
        node = NamedNode(iri)
    except ValueError as error:
        raise ResourceNotFound(f"<{iri}> is not a valid IRI: {error}") from error
    if isinstance(store, EmbeddedStore):
        facts = _read_with_patterns(store.oxigraph, node, max_statements + 1, max_incoming + 1)
    else:
        facts = _read_with_sparql(store, node, max_statements + 1, max_incoming + 1)
    kept = _dedupe(facts.statements)
    if not kept:
        raise ResourceNotFound(f"nothing is known of <{iri}>")
    for statement in kept:
        if statement.predicate.value in (str(RDFS.label), str(SKOS.prefLabel)):
            facts.labels.offer(node, statement.object)
    incoming = _dedupe(facts.incoming)
    return Description(
        iri=iri,
        statements=tuple(sorted(kept[:max_statements], key=_sort_key)),
        incoming=tuple(
            sorted(
                incoming[:max_incoming],
                key=lambda link: (link.predicate.value, str(link.subject), link.graph or ""),
            )
        ),
        nested={k: tuple(sorted(_dedupe(v), key=_sort_key)) for k, v in facts.nested.items()},
        labels=facts.labels,
        more_statements=len(kept) > max_statements,
        more_incoming=len(incoming) > max_incoming,
    )


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


__all__ = [
    "Description",
    "IncomingLink",
    "Statement",
    "describe_resource",
    "description_quads",
    "description_triples",
]
