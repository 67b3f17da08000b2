"""What a derivation rule's results for one record rest on: the ``reach`` of its header.

A derivation rule (``stage: derivation``) may declare a *key*: a variable that every
solution binds, to a resource of one class, and that every derived resource names with
``cg:derivedFrom``. Its results are then the union of the results for each key, and the
results for a key depend only on the statements about the resources its *paths* reach::

    #+ reach:
    #+   key: attribution
    #+   class: cg:Attribution
    #+   paths: [cg:attributedTo, cg:attributedIncident, ^cg:linkedActor, cg:linkedTo]
    #+   fixed: [norm:un-gge-2015-13f]

From a resource, a path ``p`` goes to the objects of its statements ``p``, a path ``^p`` to
the subjects of the statements ``p`` that point at it; the paths are followed from the key
and from the ``fixed`` resources the rule names, until they reach nothing new. The
declaration is checked by hand against the rule's text: every triple pattern a solution for
a key matches (in ``MINUS`` and ``FILTER NOT EXISTS`` too) must have as its subject a
resource reached so. Then a store that holds every statement about the reached resources
gives, for that key, what the whole store gives, and a change that states nothing about
them (with a predicate the rule reads) changes nothing of it.

A rule without ``reach`` is evaluated on everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pyoxigraph import BlankNode, NamedNode, Quad

from cybergov.errors import HeaderError
from cybergov.sparql.lexer import tokens

Node = NamedNode | BlankNode
#: The statements of a store matching a pattern (subject, predicate, object; None for any).
Lookup = Callable[[Node | None, NamedNode | None, Node | None], Iterable[Quad]]

_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_KEYS = frozenset({"key", "class", "paths", "fixed"})


@dataclass(frozen=True, slots=True)
class Reach:
    """The key of a derivation rule and the paths from it (see the module's text)."""

    key: str
    kind: NamedNode
    forward: frozenset[NamedNode]
    backward: frozenset[NamedNode]
    fixed: frozenset[NamedNode]
    #: Every IRI the rule's text names (its predicates among them): a statement with
    #: another predicate matches none of its patterns.
    reads: frozenset[NamedNode]

    def reached(self, starts: Iterable[Node], lookup: Lookup) -> set[Node]:
        """The resources the paths reach from ``starts`` (``starts`` among them)."""
        found = _walk(starts, lambda node: self._steps(node, lookup, self.forward, self.backward))
        assert found is not None  # (no limit)
        return found

    def reaching(
        self, starts: Iterable[Node], lookup: Lookup, limit: int | None = None
    ) -> set[Node] | None:
        """The resources from which the paths reach one of ``starts`` (``starts`` among
        them): the paths followed the other way; ``None`` once they are more than
        ``limit``."""
        return _walk(
            starts, lambda node: self._steps(node, lookup, self.backward, self.forward), limit
        )

    @staticmethod
    def _steps(
        node: Node, lookup: Lookup, out: frozenset[NamedNode], into: frozenset[NamedNode]
    ) -> Iterator[Node]:
        """The objects of the statements of ``node`` by a predicate of ``out``, and the
        subjects of the statements pointing at it by one of ``into`` (one lookup of every
        statement when there are several predicates, one lookup by predicate else)."""
        found: Iterable[Quad]
        if len(out) > 1:
            found = (q for q in lookup(node, None, None) if q.predicate in out)
        else:
            found = (q for p in out for q in lookup(node, p, None))
        for q in found:
            if isinstance(q.object, (NamedNode, BlankNode)):
                yield q.object
        if len(into) > 1:
            found = (q for q in lookup(None, None, node) if q.predicate in into)
        else:
            found = (q for p in into for q in lookup(None, p, node))
        for q in found:
            if isinstance(q.subject, (NamedNode, BlankNode)):
                yield q.subject


def _walk(
    starts: Iterable[Node], steps: Callable[[Node], Iterator[Node]], limit: int | None = None
) -> set[Node] | None:
    seen = set(starts)
    todo = list(seen)
    while todo:
        if limit is not None and len(seen) > limit:
            return None
        for node in steps(todo.pop()):
            if node not in seen:
                seen.add(node)
                todo.append(node)
    return seen if limit is None or len(seen) <= limit else None


def _prefixes(sparql: str) -> dict[str, str]:
    found: dict[str, str] = {}
    items = list(tokens(sparql))
    for keyword, name, iri in zip(items, items[1:], items[2:], strict=False):
        if keyword.is_keyword("PREFIX") and name.kind == "pname" and iri.kind == "iri":
            found[name.text.split(":", 1)[0]] = iri.text[1:-1]
    return found


def _iri(text: str, prefixes: dict[str, str], source: str) -> NamedNode:
    prefix, colon, local = text.partition(":")
    if not colon or prefix not in prefixes:
        raise HeaderError(f"{source}: reach: {text!r} is not a name of a declared prefix")
    return NamedNode(prefixes[prefix] + local)


def _names(sparql: str, prefixes: dict[str, str]) -> frozenset[NamedNode]:
    """Every IRI of the text (``a`` as ``rdf:type``), those of undeclared prefixes left out."""
    found = {_TYPE}
    for token in tokens(sparql):
        if token.kind == "iri":
            found.add(NamedNode(token.text[1:-1]))
        elif token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            if prefix in prefixes:
                found.add(NamedNode(prefixes[prefix] + local))
    return frozenset(found)


def read_reach(value: Any, sparql: str, source: str) -> Reach:
    """The ``reach`` of a rule's header (``value``), its names read with the rule's
    prefixes.

    Raises:
        HeaderError: the value is not a mapping of ``key``, ``class``, ``paths`` (and
            ``fixed``), or names a prefix the rule does not declare.
    """
    if not isinstance(value, dict) or not {"key", "class", "paths"} <= value.keys():
        raise HeaderError(f"{source}: reach must be a mapping with key, class and paths")
    if set(value) - _KEYS:
        raise HeaderError(f"{source}: reach has unknown keys {sorted(set(value) - _KEYS)}")
    paths, fixed = value["paths"], value.get("fixed", [])
    if not isinstance(paths, list) or not isinstance(fixed, list):
        raise HeaderError(f"{source}: reach's paths and fixed must be lists")
    prefixes = _prefixes(sparql)
    forward = {_iri(str(p), prefixes, source) for p in paths if not str(p).startswith("^")}
    backward = {_iri(str(p)[1:], prefixes, source) for p in paths if str(p).startswith("^")}
    return Reach(
        key=str(value["key"]),
        kind=_iri(str(value["class"]), prefixes, source),
        forward=frozenset(forward),
        backward=frozenset(backward),
        fixed=frozenset(_iri(str(f), prefixes, source) for f in fixed),
        reads=_names(sparql, prefixes),
    )
