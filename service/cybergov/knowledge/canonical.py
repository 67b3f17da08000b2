"""The one canonical Turtle form of the project's files, and the canonical N-Quads of a
dataset, whose SHA-256 is the checksum of a release.

Serialising a file's graph with rdflib's ``longturtle`` writer and the
project's prefixes gives the same bytes every time, so a file that is not in
that form is one that someone edited by hand: ``cybergov fmt FILE`` fixes it.
The writer drops ``#`` comments; commentary belongs in ``rdfs:comment``.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import cast

import rdflib
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Triple,
    parse,
)
from rdflib.compare import to_canonical_graph

from cybergov.namespaces import bind_prefixes
from cybergov.rdf_formats import syntax_error
from cybergov.store.base import Term

GraphName = NamedNode | BlankNode | DefaultGraph


def canonical_turtle(text: str, *, source: str) -> str:
    """The canonical Turtle of a Turtle document.

    Raises:
        RdfSyntaxError: the document does not parse.
    """
    try:  # pyoxigraph reports syntax errors with their line and column
        for _ in parse(text, RdfFormat.TURTLE):
            pass
    except SyntaxError as error:
        raise syntax_error(error, source) from error
    graph = rdflib.Graph(bind_namespaces="none")
    bind_prefixes(graph.namespace_manager)
    graph.parse(data=text, format="turtle")
    if any(isinstance(term, rdflib.BNode) for triple in graph for term in triple):
        graph = _with_stable_blank_nodes(graph)
    return graph.serialize(format="longturtle")


def _with_stable_blank_nodes(graph: rdflib.Graph) -> rdflib.Graph:
    """The graph with its blank nodes named from their content, so that the writer, which
    orders the values of a property by their names, orders blank nodes (OWL restrictions,
    axiom annotations) the same way every time."""
    stable = rdflib.Graph(bind_namespaces="none")
    bind_prefixes(stable.namespace_manager)
    for triple in to_canonical_graph(graph):
        stable.add(triple)
    return stable


def is_canonical(path: Path) -> bool:
    """Whether a Turtle file is already in canonical form."""
    text = path.read_text(encoding="utf-8")
    return canonical_turtle(text, source=str(path)) == text


def canonicalise(path: Path) -> bool:
    """Rewrite a Turtle file in canonical form; return whether it changed."""
    text = path.read_text(encoding="utf-8")
    formatted = canonical_turtle(text, source=str(path))
    if formatted == text:
        return False
    path.write_text(formatted, encoding="utf-8")
    return True


# --- the canonical N-Quads of a dataset ------------------------------------------------------

_PLACEHOLDER = "urn:cybergov:canonical-literal:"


def _bnode_label(graph: str, label: str) -> str:
    """A canonical blank node label scoped to its named graph (a prefix from the graph's IRI),
    so that like structures in two graphs never become one node in an N-Quads document."""
    scope = hashlib.sha256(graph.encode()).hexdigest()[:12]
    return f"g{scope}{label}"


def _canonical_blank_quads(graph: GraphName, quads: list[Quad]) -> list[Quad]:
    """``quads`` (all of one graph, each with a blank node) with their blank nodes named
    from their content by rdflib's canonicalisation, as :func:`canonical_turtle` names
    them. Literals go through it as placeholder IRIs, so that rdflib never rewrites them."""
    literals: dict[str, Literal | Triple] = {}

    def to_rdflib(term: Term | Triple) -> rdflib.term.Node:
        if isinstance(term, BlankNode):
            return rdflib.BNode(term.value)
        if isinstance(term, Literal | Triple):
            key = _PLACEHOLDER + hashlib.sha256(str(term).encode()).hexdigest()
            literals[key] = term
            return rdflib.URIRef(key)
        return rdflib.URIRef(term.value)

    def back(term: rdflib.term.Node) -> Term | Triple:
        if isinstance(term, rdflib.BNode):
            return BlankNode(_bnode_label(str(graph), str(term)))
        if str(term) in literals:
            return literals[str(term)]
        return NamedNode(str(term))

    graph_rdf = rdflib.Graph(bind_namespaces="none")
    for quad in quads:
        graph_rdf.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return [
        Quad(cast(NamedNode | BlankNode, back(s)), cast(NamedNode, back(p)), back(o), graph)
        for s, p, o in to_canonical_graph(graph_rdf)
    ]


def nquad_line(quad: Quad) -> str:
    """One quad as a line of N-Quads (without the line break)."""
    return f"{quad} ."


def canonical_nquads(quads: Iterable[Quad]) -> list[str]:
    """The canonical N-Quads lines of a dataset: each statement once, blank nodes named from
    their content within their graph (see :func:`_canonical_blank_quads`), sorted by code
    point. Two stores holding the same statements give the same lines."""
    lines: set[str] = set()
    with_blanks: dict[GraphName, list[Quad]] = defaultdict(list)
    for quad in quads:
        if isinstance(quad.subject, BlankNode) or isinstance(quad.object, BlankNode):
            with_blanks[quad.graph_name].append(quad)
        else:
            lines.add(nquad_line(quad))
    for graph, blank_quads in with_blanks.items():
        lines.update(nquad_line(q) for q in _canonical_blank_quads(graph, blank_quads))
    return sorted(lines)


def canonical_checksum(lines: Iterable[str]) -> str:
    """The SHA-256 of canonical N-Quads lines written as a file (each line ends with ``\\n``)."""
    digest = hashlib.sha256()
    for line in lines:
        digest.update(f"{line}\n".encode())
    return digest.hexdigest()
