"""The class of the resources an IRI parameter of a question takes, read from the query.

A question's header types a parameter as ``iri``; which IRIs make sense follows from
where the query uses its variable: as the object of a property, it is of the property's
range; as the subject, of its domain; after ``a``, of that class. The most specific of
those classes is what a form searches over as the researcher types.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from pyoxigraph import NamedNode
from rdflib import URIRef, Variable
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.paths import AlternativePath, InvPath, MulPath, Path, SequencePath
from rdflib.plugins.sparql import prepareQuery

from cybergov.sparql.catalogue import Question
from cybergov.store.base import Store

_SCHEMA = """
SELECT ?kind ?term ?class WHERE {
  { ?term <http://www.w3.org/2000/01/rdf-schema#range> ?class . BIND("range" AS ?kind) }
  UNION { ?term <http://www.w3.org/2000/01/rdf-schema#domain> ?class . BIND("domain" AS ?kind) }
  UNION { ?term <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?class .
          BIND("super" AS ?kind) }
}
"""
#: Classes too wide to narrow a search.
_TOO_WIDE = frozenset({str(OWL.Thing), str(RDFS.Resource), str(RDFS.Literal)})


@dataclass(frozen=True, slots=True)
class Schema:
    """The ranges, domains and superclasses the ontology declares."""

    ranges: dict[str, frozenset[str]]
    domains: dict[str, frozenset[str]]
    supers: dict[str, frozenset[str]]

    def broader(self, cls: str) -> set[str]:
        """Every superclass of ``cls``, however far up."""
        seen: set[str] = set()
        todo = [cls]
        while todo:
            for parent in self.supers.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen


def read_schema(store: Store) -> Schema:
    """The ranges, domains and superclasses in ``store``.

    Raises:
        StoreError: the store failed.
    """
    found: dict[str, dict[str, set[str]]] = {
        kind: defaultdict(set) for kind in ("range", "domain", "super")
    }
    for kind, term, cls in store.select(_SCHEMA).rows:
        if isinstance(term, NamedNode) and isinstance(cls, NamedNode) and kind is not None:
            found[kind.value][term.value].add(cls.value)
    frozen = {k: {t: frozenset(c) for t, c in v.items()} for k, v in found.items()}
    return Schema(frozen["range"], frozen["domain"], frozen["super"])


def parameter_classes(question: Question, schema: Schema) -> dict[str, str]:
    """For each IRI parameter of ``question`` whose class the query shows, that class."""
    classes: dict[str, str] = {}
    uses = _uses(question.sparql)
    for parameter in question.params:
        if parameter.type != "iri":
            continue
        candidates: set[str] = set()
        for role, term in uses.get(parameter.name, ()):
            if role == "type":
                candidates.add(term)
            elif role == "object":
                candidates |= schema.ranges.get(term, frozenset())
            else:
                candidates |= schema.domains.get(term, frozenset())
        chosen = most_specific(candidates, schema)
        if chosen is not None:
            classes[parameter.name] = chosen
    return classes


def most_specific(candidates: set[str], schema: Schema) -> str | None:
    """The one class among ``candidates`` that every other one is broader than, if any."""
    kept = {c for c in candidates if c not in _TOO_WIDE and not c.startswith(str(XSD))}
    narrowest = [c for c in kept if not any(c in schema.broader(o) for o in kept if o != c)]
    if len(narrowest) != 1:
        return None
    return narrowest[0]


@lru_cache(maxsize=256)
def _uses(sparql: str) -> dict[str, list[tuple[str, str]]]:
    """Where each variable of the query stands: ``(object|subject, property)`` or
    ``(type, class)``."""
    uses: dict[str, list[tuple[str, str]]] = defaultdict(list)
    try:
        algebra = prepareQuery(sparql).algebra
    except Exception:
        return {}
    for subject, predicate, obj in _triples(algebra):
        if predicate == RDF.type:
            if isinstance(subject, Variable) and isinstance(obj, URIRef):
                uses[str(subject)].append(("type", str(obj)))
            elif isinstance(obj, Variable):  # a variable after ``a`` stands for a class
                uses[str(obj)].append(("type", str(OWL.Class)))
            continue
        if isinstance(obj, Variable):
            last = _end(predicate, last=True)
            if last is not None:
                uses[str(obj)].append(last)
        if isinstance(subject, Variable):
            first = _end(predicate, last=False)
            if first is not None:
                uses[str(subject)].append(first)
    return dict(uses)


def _end(predicate: object, *, last: bool) -> tuple[str, str] | None:
    """The property at the object end (``last``) or the subject end of a path, and which
    side of it the variable stands on."""
    if isinstance(predicate, URIRef):
        return ("object" if last else "subject", str(predicate))
    if isinstance(predicate, SequencePath) and predicate.args:
        return _end(predicate.args[-1] if last else predicate.args[0], last=last)
    if isinstance(predicate, InvPath):
        inner = _end(predicate.arg, last=not last)
        if inner is None:
            return None
        return ("subject" if inner[0] == "object" else "object", inner[1])
    if isinstance(predicate, MulPath | AlternativePath | Path):
        return None
    return None


def _triples(node: object) -> Iterator[tuple[object, object, object]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "triples" and isinstance(value, list):
                for triple in value:
                    if len(triple) == 3:
                        yield tuple(triple)
            elif not key.startswith("_"):
                yield from _triples(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _triples(item)
