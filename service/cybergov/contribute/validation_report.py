"""The report of a validation, in plain words: readable text, JSON for programs, and the
SHACL report graph in Turtle.

Each finding says which node (with its label when it has one), which property (by its
label from the ontology), what was expected (the constraint in words), the offending
value, the severity and the shape that fired.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any, Protocol

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD

from cybergov.contribute.skolem import Skolem
from cybergov.namespaces import SH, bind_prefixes, shorten

#: Labels of the few RDF terms the ontology does not declare.
_BUILTIN_LABELS = {
    str(RDF.type): "type",
    str(RDFS.label): "label",
    str(RDFS.comment): "comment",
    str(OWL.sameAs): "same as",
}
_SEVERITIES = {str(SH.Violation): "violation", str(SH.Warning): "warning", str(SH.Info): "info"}
_NODE_KINDS = {
    str(SH.IRI): "an IRI",
    str(SH.Literal): "a literal",
    str(SH.BlankNode): "a blank node",
    str(SH.BlankNodeOrIRI): "an IRI or a blank node",
    str(SH.IRIOrLiteral): "an IRI or a literal",
    str(SH.BlankNodeOrLiteral): "a blank node or a literal",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One result of a validation, in words."""

    focus: str
    focus_label: str | None
    path: str | None
    path_label: str | None
    value: str | None
    value_label: str | None
    expected: str
    message: str
    severity: str
    shape: str
    constraint: str
    #: For a resource the contribution points at but nothing describes: who points at it,
    #: as (node, property, property label).
    referenced_by: tuple[tuple[str, str, str], ...] = ()
    #: The SPARQL constraint that found it (``sh:sourceConstraint``), or "".
    source_constraint: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "focus": self.focus,
            "focusLabel": self.focus_label,
            "path": self.path,
            "pathLabel": self.path_label,
            "value": self.value,
            "valueLabel": self.value_label,
            "expected": self.expected,
            "message": self.message,
            "severity": self.severity,
            "shape": self.shape,
            "constraint": self.constraint,
            "referencedBy": [
                {"node": node, "path": path, "pathLabel": label}
                for node, path, label in self.referenced_by
            ],
        }


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """The outcome of validating one contribution."""

    source: str
    conforms: bool
    findings: tuple[Finding, ...]
    #: The SHACL report graph, made when first asked for (an import reads the findings only).
    restored: Callable[[], rdflib.Graph] = field(repr=False, compare=False)
    statements: int = 0
    seconds: float = 0.0

    @property
    def graph(self) -> rdflib.Graph:
        """The SHACL report graph, blank nodes of the contribution shown as blank nodes."""
        return self.restored()

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "conforms": self.conforms,
            "statements": self.statements,
            "results": [finding.as_json() for finding in self.findings],
        }

    def to_text(self) -> str:
        return render_text(self)

    def to_turtle(self) -> str:
        return str(self.graph.serialize(format="turtle"))


class ReportData(Protocol):
    """What a report reads of the data it was validated on: labels, who points at a node."""

    def objects(
        self, subject: rdflib.term.Node, predicate: rdflib.term.Node
    ) -> Iterator[rdflib.term.Node]: ...

    def subject_predicates(
        self, obj: rdflib.term.Node
    ) -> Iterator[tuple[rdflib.term.Node, rdflib.term.Node]]: ...

    def describes(self, node: rdflib.term.Node) -> bool: ...


class ReportResults(Protocol):
    """A SHACL validation report graph as a report reads it: an rdflib graph (pySHACL's), or
    the compiled shapes' results read as one (:class:`cybergov.contribute.compiled_shapes.
    ResultGraph`)."""

    def subjects(
        self, predicate: rdflib.term.Node, obj: rdflib.term.Node, /
    ) -> Iterator[rdflib.term.Node]: ...

    def objects(
        self, subject: rdflib.term.Node, predicate: rdflib.term.Node, /
    ) -> Iterator[rdflib.term.Node]: ...

    def value(
        self, subject: rdflib.term.Node, predicate: rdflib.term.Node, /
    ) -> rdflib.term.Node | None: ...

    def __iter__(self) -> Iterator[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]]: ...


def _items(graph: ReportResults, head: rdflib.term.Node) -> Iterator[rdflib.term.Node]:
    """The items of an RDF list, as ``rdflib.collection.Collection`` reads them."""
    chain: set[rdflib.term.Node | None] = {head}
    node: rdflib.term.Node | None = head
    while node:
        item = graph.value(node, RDF.first)
        if item is not None:
            yield item
        node = graph.value(node, RDF.rest)
        if node in chain:
            raise ValueError("List contains a recursive rdf:rest reference")
        chain.add(node)


class _Terms:
    """Turns report terms into words, with the labels of the data and the ontology."""

    def __init__(self, data: ReportData, ontology: rdflib.Graph, skolem: Skolem) -> None:
        self.data = data
        self.ontology = ontology
        self.skolem = skolem
        self._labels: dict[rdflib.term.Node, str | None] = {}

    def restore(self, term: rdflib.term.Node) -> rdflib.term.Node:
        label = self.skolem.label(str(term)) if isinstance(term, rdflib.URIRef) else None
        if label is not None:
            return rdflib.BNode(label)
        return term

    def identifier(self, term: rdflib.term.Node) -> str:
        """A node for programs: an IRI as it is, a blank node as ``_:id``."""
        restored = self.restore(term)
        if isinstance(restored, rdflib.BNode):
            return f"_:{restored}"
        return str(restored)

    def value(self, term: rdflib.term.Node) -> str:
        """A value for programs, in N-Triples syntax (``<iri>``, ``_:id``, ``"text"@en``)."""
        restored = self.restore(term)
        if isinstance(restored, rdflib.URIRef | rdflib.BNode | rdflib.Literal):
            return str(restored.n3())
        return str(restored)

    def shown(self, term: rdflib.term.Node) -> str:
        """The term as a person reads it: prefixed names, typed literals, blank nodes."""
        restored = self.restore(term)
        if isinstance(restored, rdflib.BNode):
            return f"_:{restored}"
        if isinstance(restored, rdflib.URIRef):
            return shorten(str(restored))
        if isinstance(restored, rdflib.Literal):
            text = f'"{restored}"'
            if restored.language:
                return f"{text}@{restored.language}"
            if restored.datatype and restored.datatype != XSD.string:
                return f"{text}^^{shorten(str(restored.datatype))}"
            return text
        return str(restored)

    def label(self, term: rdflib.term.Node | None) -> str | None:
        """The English (or untagged) label of an IRI, looked up once per report."""
        if not isinstance(term, rdflib.URIRef):
            return None
        if term not in self._labels:
            self._labels[term] = self._label(term)
        return self._labels[term]

    def _label(self, term: rdflib.URIRef) -> str | None:
        if str(term) in _BUILTIN_LABELS:
            return _BUILTIN_LABELS[str(term)]
        for value in (
            *self.ontology.objects(term, RDFS.label),
            *self.data.objects(term, RDFS.label),
        ):
            if isinstance(value, rdflib.Literal) and value.language in ("en", None):
                return str(value)
        return None

    def path(
        self, path: rdflib.term.Node | None, report: ReportResults
    ) -> tuple[str | None, str | None]:
        """A result path as an identifier and as words (complex paths included)."""
        if path is None:
            return None, None
        if isinstance(path, rdflib.URIRef):
            return str(path), self.label(path) or self.shown(path)
        inverse = report.value(path, SH.inversePath)
        if inverse is not None:
            iri, words = self.path(inverse, report)
            return f"^{iri}", f"{words} (inverse)"
        alternatives = report.value(path, SH.alternativePath)
        if alternatives is not None:
            parts = [self.path(item, report) for item in _items(report, alternatives)]
            return (
                "|".join(str(iri) for iri, _ in parts),
                " or ".join(str(words) for _, words in parts),
            )
        return str(path), str(path)


_PARAMETERS = {
    "MinCount": SH.minCount,
    "MaxCount": SH.maxCount,
    "Datatype": SH.datatype,
    "Class": SH["class"],
    "In": SH["in"],
    "Pattern": SH.pattern,
    "NodeKind": SH.nodeKind,
    "LanguageIn": SH.languageIn,
    "MinLength": SH.minLength,
    "MaxLength": SH.maxLength,
}


def _count(value: rdflib.term.Node) -> str:
    return f"{value} value{'s' if str(value) != '1' else ''}"


def _class(value: rdflib.term.Node, terms: _Terms) -> str:
    label = terms.label(value)
    return f"a resource of class {label} ({terms.shown(value)})" if label else terms.shown(value)


_Words = Callable[[rdflib.term.Node, "_Terms", rdflib.Graph], str]

_WORDS: dict[str, _Words] = {
    "MinCount": lambda v, terms, shapes: f"at least {_count(v)}",
    "MaxCount": lambda v, terms, shapes: f"at most {_count(v)}",
    "Datatype": lambda v, terms, shapes: f"a literal of type {terms.shown(v)}",
    "Class": lambda v, terms, shapes: _class(v, terms),
    "In": lambda v, terms, shapes: (
        "one of " + ", ".join(terms.shown(item) for item in Collection(shapes, v))
    ),
    "Pattern": lambda v, terms, shapes: f"text matching the pattern {v}",
    "NodeKind": lambda v, terms, shapes: _NODE_KINDS.get(str(v), terms.shown(v)),
    "LanguageIn": lambda v, terms, shapes: (
        "text tagged " + " or ".join(f"@{tag}" for tag in Collection(shapes, v))
    ),
    "MinLength": lambda v, terms, shapes: f"at least {v} characters",
    "MaxLength": lambda v, terms, shapes: f"at most {v} characters",
}


def _expected(
    shapes: rdflib.Graph,
    terms: _Terms,
    shape: rdflib.term.Node,
    component: str,
    constraint: rdflib.term.Node | None,
) -> str:
    """The constraint that failed, in words."""
    name = component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    if name == "SPARQL":
        comment = shapes.value(constraint, RDFS.comment) if constraint is not None else None
        return str(comment) if comment is not None else "see the message"
    if name == "Closed":
        return "only the properties the ontology defines"
    parameter = _PARAMETERS.get(name)
    value = shapes.value(shape, parameter) if parameter is not None else None
    if value is None:
        return name
    return _WORDS[name](value, terms, shapes)


def _message(report: ReportResults, result: rdflib.term.Node) -> str:
    messages = [
        m for m in report.objects(result, SH.resultMessage) if isinstance(m, rdflib.Literal)
    ]
    english = [m for m in messages if m.language in ("en", None)]
    chosen = english or messages
    return str(chosen[0]) if chosen else ""


def _referrers(
    node: rdflib.term.Node | None, data: ReportData, terms: _Terms
) -> tuple[tuple[str, str, str], ...]:
    """Who points at a node that nothing describes (a node with statements of its own has none)."""
    if node is None or data.describes(node):
        return ()
    found = {
        (terms.identifier(s), str(p), terms.label(p) or terms.shown(p))
        for s, p in data.subject_predicates(node)
    }
    return tuple(sorted(found))


def _restored_graph(report: ReportResults, terms: _Terms) -> rdflib.Graph:
    graph = rdflib.Graph(bind_namespaces="none")
    bind_prefixes(graph.namespace_manager)
    graph.bind("sh", str(SH), override=True)
    for s, p, o in report:
        graph.add((terms.restore(s), p, terms.restore(o)))
    return graph


def build_report(
    *,
    source: str,
    conforms: bool,
    results: ReportResults,
    data: ReportData,
    bundle_shapes: rdflib.Graph,
    ontology: rdflib.Graph,
    statements: int,
    seconds: float,
    skolem: Skolem,
) -> ValidationReport:
    """The report of one validation, from pySHACL's report graph."""
    terms = _Terms(data, ontology, skolem)
    # The same failure recurs over the records of an import: its words are found once.
    expected = cache(partial(_expected, bundle_shapes, terms))
    findings = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        value = results.value(result, SH.value)
        shape = results.value(result, SH.sourceShape)
        component = str(results.value(result, SH.sourceConstraintComponent) or "")
        path, path_words = terms.path(results.value(result, SH.resultPath), results)
        findings.append(
            Finding(
                focus=terms.identifier(focus) if focus is not None else "",
                focus_label=terms.label(focus),
                path=path,
                path_label=path_words,
                value=terms.value(value) if value is not None else None,
                value_label=terms.label(value) if value is not None else None,
                expected=expected(
                    shape,
                    component,
                    results.value(result, SH.sourceConstraint),
                ),
                message=_message(results, result),
                severity=_SEVERITIES.get(
                    str(results.value(result, SH.resultSeverity)), "violation"
                ),
                shape=terms.identifier(shape) if shape is not None else "",
                constraint=component,
                referenced_by=_referrers(focus, data, terms),
                source_constraint=str(results.value(result, SH.sourceConstraint) or ""),
            )
        )
    findings.sort(key=lambda f: (f.focus, f.path_label or "", f.shape, f.value or ""))
    return ValidationReport(
        source=source,
        conforms=conforms,
        findings=tuple(findings),
        restored=cache(lambda: _restored_graph(results, terms)),
        statements=statements,
        seconds=seconds,
    )


_TYPED_LITERAL = re.compile(r'^(".*")\^\^<([^<>]*)>$', re.DOTALL)


def _shown_identifier(identifier: str) -> str:
    """An identifier or N-Triples value as a person reads it (``"2017"^^xsd:date``)."""
    if identifier.startswith("<") and identifier.endswith(">"):
        return shorten(identifier[1:-1])
    typed = _TYPED_LITERAL.match(identifier)
    if typed:
        return f"{typed.group(1)}^^{shorten(typed.group(2))}"
    if identifier.startswith(("_:", '"')):
        return identifier
    return shorten(identifier)


def render_text(report: ValidationReport) -> str:
    """The report as a person reads it, grouped by node."""
    count = len(report.findings)
    if report.conforms:
        lines = [f"{report.source}: conforms ({report.statements} statements)"]
    else:
        lines = [
            f"{report.source}: does not conform: {count} problem{'s' if count != 1 else ''} "
            f"in {report.statements} statements"
        ]
    current = None
    for finding in report.findings:
        if finding.focus != current:
            current = finding.focus
            label = f'  "{finding.focus_label}"' if finding.focus_label else ""
            lines.append("")
            lines.append(f"  {_shown_identifier(finding.focus)}{label}")
        where = f"{finding.path_label}: " if finding.path_label else ""
        lines.append(f"    - {where}{finding.message}")
        found = ""
        if finding.value is not None:
            found = f"; found {_shown_identifier(finding.value)}"
            if finding.value_label:
                found += f' "{finding.value_label}"'
        elif finding.constraint.endswith("#MinCountConstraintComponent"):
            found = "; found none"
        lines.append(f"        expected {finding.expected}{found}")
        for node, _, label in finding.referenced_by:
            lines.append(f"        pointed at by {_shown_identifier(node)} ({label})")
        lines.append(
            f"        ({finding.severity} of {_shown_identifier(finding.shape)}, "
            f"{shorten(finding.constraint)})"
        )
    return "\n".join(lines) + "\n"
