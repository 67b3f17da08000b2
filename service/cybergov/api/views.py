"""What a resource page shows, made from a description: rows of properties with their
values, the links that point at the resource, the graphs it is recorded in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode
from rdflib.namespace import RDF, XSD

from cybergov.api.links import href
from cybergov.exchange.resources import Description, Statement
from cybergov.namespaces import CGR, shorten
from cybergov.store.base import Term

_PLAIN_TYPES = (str(XSD.string), "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")


@dataclass(frozen=True, slots=True)
class Link:
    """A named thing a page links to (or shows as text when it has no safe address)."""

    text: str
    href: str | None
    iri: str | None = None


@dataclass(slots=True)
class Value:
    """One value of a property, with where it comes from."""

    text: str
    href: str | None = None
    iri: str | None = None
    note: str | None = None
    graph: Link | None = None
    rule: Link | None = None
    nested: list[Row] = field(default_factory=list)


@dataclass(slots=True)
class Row:
    """A property and its values."""

    property: Link
    values: list[Value]


class Views:
    """Builds the view of a description for pages mounted at ``root``."""

    def __init__(
        self, description: Description, root: str, documented: Mapping[str, str] | None = None
    ) -> None:
        self.description = description
        self.root = root
        self.documented = documented or {}

    def href(self, iri: str) -> str | None:
        """Terms the ontology documents link to their entry; the rest as :func:`href` says."""
        anchor = self.documented.get(iri)
        if anchor is not None:
            return f"{self.root}/ontology#{anchor}"
        return href(iri, self.root)

    def link(self, iri: str) -> Link:
        return Link(self.description.label(iri) or shorten(iri), self.href(iri), iri)

    def graph(self, iri: str | None) -> Link | None:
        """A named graph, linked when the metadata graph describes it (the loaded files and
        rules, contributions), as text otherwise (the metadata graph itself)."""
        if iri is None:
            return None
        label = self.description.label(iri)
        return Link(label or shorten(iri), self.href(iri) if label else None, iri)

    def rule(self, name: str | None) -> Link | None:
        return self.link(f"{CGR}rule/{name}") if name else None

    def value(self, term: Term, statement: Statement | None = None) -> Value:
        graph = self.graph(statement.graph) if statement else None
        rule = self.rule(statement.inferred_by) if statement else None
        if isinstance(term, NamedNode):
            known = self.description.label(term.value)
            return Value(
                known or shorten(term.value),
                self.href(term.value),
                term.value,
                graph=graph,
                rule=rule,
            )
        if isinstance(term, BlankNode):
            rows = self.rows(self.description.nested.get(term.value, ()))
            return Value("(a node without a name)", graph=graph, rule=rule, nested=rows)
        assert isinstance(term, Literal)
        note = term.language
        if note is None and term.datatype.value not in _PLAIN_TYPES:
            note = shorten(term.datatype.value)
        return Value(term.value, note=note, graph=graph, rule=rule)

    def rows(self, statements: tuple[Statement, ...] | list[Statement]) -> list[Row]:
        """The statements grouped by property: the type first, then by label."""
        grouped: dict[str, list[Statement]] = {}
        for statement in statements:
            grouped.setdefault(statement.predicate.value, []).append(statement)
        order = sorted(grouped, key=lambda p: (p != str(RDF.type), self.link(p).text.lower(), p))
        rows = []
        for predicate in order:
            values: dict[str, Value] = {}
            for statement in grouped[predicate]:
                made = self.value(statement.object, statement)
                key = str(statement.object)
                # A fact stated and also derived is shown once, as stated.
                if key not in values or (values[key].rule and not made.rule):
                    values[key] = made
            rows.append(Row(self.link(predicate), list(values.values())))
        return rows

    def incoming(self) -> list[Row]:
        """What points at the resource, grouped by the property that points."""
        grouped: dict[str, dict[str, Value]] = {}
        for link in self.description.incoming:
            values = grouped.setdefault(link.predicate.value, {})
            made = self.value(link.subject)
            made.graph = self.graph(link.graph)
            made.rule = self.rule(link.inferred_by)
            key = str(link.subject)
            if key not in values or (values[key].rule and not made.rule):
                values[key] = made
        order = sorted(grouped, key=lambda p: (self.link(p).text.lower(), p))
        return [
            Row(self.link(p), sorted(grouped[p].values(), key=lambda v: v.text.lower()))
            for p in order
        ]

    def context(self) -> dict[str, Any]:
        """Everything the resource template needs."""
        d = self.description
        descriptions = [
            s.object.value
            for s in d.statements
            if s.predicate.value == "http://purl.org/dc/terms/description"
            and isinstance(s.object, Literal)
        ]
        return {
            "iri": d.iri,
            "title": d.title,
            "types": [self.value(t) for t in d.asserted_types or d.types],
            "summary": descriptions[0] if descriptions else None,
            "derived_by": [self.value(r) for r in d.derived_by],
            "explanation": d.explanation,
            "rows": self.rows(d.statements),
            "sources": [self.value(s) for s in d.sources],
            "incoming": self.incoming(),
            "graphs": [self.graph(g) for g in d.graphs],
            "more_statements": d.more_statements,
            "more_incoming": d.more_incoming,
        }
