"""The closure rules that follow the ontology's axioms alone, evaluated in Python.

Three closure rules join one statement with the axioms only: ``subclass`` (a resource of a
class is of its superclasses), ``subproperty`` (a statement by a property holds by its
superproperties) and ``inverse`` (a statement holds the other way by the property's
inverses). Given the axioms, indexed once (:class:`Schema`), what such a rule derives from
some statements is found statement by statement, without a query: the increment of an
import (:mod:`cybergov.knowledge.increment`) derives them so from the statements new to
the rule since it last ran (the rest of the union is a fixpoint already).

A rule is evaluated so only while its text is the one the evaluation was written for (its
fingerprint, :func:`fingerprint`): a rule file that changes is evaluated by its query
again. The tests compare the two on the bundled graph and on imports.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple

from cybergov.knowledge.rules import TYPE, Rule

_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SUBCLASS_OF = NamedNode(f"{_RDFS}subClassOf")
SUBPROPERTY_OF = NamedNode(f"{_RDFS}subPropertyOf")
INVERSE_OF = NamedNode("http://www.w3.org/2002/07/owl#inverseOf")
_Term = NamedNode | BlankNode | Literal | Triple


def fingerprint(sparql: str) -> str:
    """The SHA-256 of a rule's text, its whitespace and comment lines aside."""
    lines = (line for line in sparql.splitlines() if not line.lstrip().startswith("#"))
    return hashlib.sha256(" ".join(" ".join(lines).split()).encode()).hexdigest()


class Schema:
    """The axioms the three rules read: the subclass and subproperty statements (each
    followed through chains, as the rules' ``+`` paths) and the inverse properties."""

    def __init__(self, axioms: Iterable[Quad | Triple]) -> None:
        self._edges: dict[NamedNode, dict[_Term, set[_Term]]] = {
            SUBCLASS_OF: {},
            SUBPROPERTY_OF: {},
        }
        self.inverses: dict[_Term, set[_Term]] = {}
        for q in axioms:
            edges = self._edges.get(q.predicate)
            if edges is not None:
                edges.setdefault(q.subject, set()).add(q.object)
            elif q.predicate == INVERSE_OF:
                self.inverses.setdefault(q.subject, set()).add(q.object)
                self.inverses.setdefault(q.object, set()).add(q.subject)
        self._above: dict[NamedNode, dict[_Term, list[NamedNode]]] = {
            axiom: {} for axiom in self._edges
        }

    def above(self, axiom: NamedNode, term: _Term) -> list[NamedNode]:
        """The IRIs one or more ``axiom`` statements lead to from ``term``."""
        known = self._above[axiom]
        found = known.get(term)
        if found is None:
            edges = self._edges[axiom]
            seen: set[_Term] = set()
            todo = list(edges.get(term, ()))
            while todo:
                node = todo.pop()
                if node not in seen:
                    seen.add(node)
                    todo.extend(edges.get(node, ()))
            found = known[term] = [n for n in seen if isinstance(n, NamedNode)]
        return found

    def below(self, axiom: NamedNode) -> frozenset[_Term]:
        """The terms from which ``axiom`` statements lead somewhere."""
        return frozenset(self._edges[axiom])


def _subclass(schema: Schema, statements: Iterable[Quad | Triple]) -> Iterator[Triple]:
    classes = schema.below(SUBCLASS_OF)
    for q in statements:
        if q.predicate == TYPE and q.object in classes:
            for superclass in schema.above(SUBCLASS_OF, q.object):
                yield Triple(q.subject, TYPE, superclass)


def _subproperty(schema: Schema, statements: Iterable[Quad | Triple]) -> Iterator[Triple]:
    properties = schema.below(SUBPROPERTY_OF)
    for q in statements:
        if q.predicate in properties:
            for superproperty in schema.above(SUBPROPERTY_OF, q.predicate):
                yield Triple(q.subject, superproperty, q.object)


def _inverse(schema: Schema, statements: Iterable[Quad | Triple]) -> Iterator[Triple]:
    inverses = schema.inverses
    for q in statements:
        found = inverses.get(q.predicate)
        if found and not isinstance(q.object, Literal):
            for inverse in found:
                yield Triple(q.object, inverse, q.subject)  # type: ignore[arg-type]


Evaluation = Callable[[Schema, Iterable[Quad | Triple]], Iterator[Triple]]
#: Each rule evaluated in Python, by the fingerprint of the text it is evaluated for.
_EVALUATIONS: dict[str, tuple[str, Evaluation]] = {
    "subclass": ("42eb1073be9fde53a601275a5dc0efdfbfa919e9f8bd7d264d5f66cae14e3fbf", _subclass),
    "subproperty": (
        "5ea7b000408e6f6d897cf1549da5528c6a9482be70c833d446bd117cff41d701",
        _subproperty,
    ),
    "inverse": ("0c4c0f10801bb70da7f3e5da879623c71b3692b1a3b0466277703c5190c31a54", _inverse),
}


def evaluation(rule: Rule) -> Evaluation | None:
    """The Python evaluation of ``rule``, if its text is the one it was written for."""
    known = _EVALUATIONS.get(rule.name)
    if known is None or known[0] != fingerprint(rule.sparql):
        return None
    return known[1]


__all__ = ["Evaluation", "Schema", "evaluation", "fingerprint"]
