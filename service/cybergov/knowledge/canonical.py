"""The one canonical Turtle form of the project's files.

Serialising a file's graph with rdflib's ``longturtle`` writer and the
project's prefixes gives the same bytes every time, so a file that is not in
that form is one that someone edited by hand: ``cybergov fmt FILE`` fixes it.
The writer drops ``#`` comments; commentary belongs in ``rdfs:comment``.
"""

from __future__ import annotations

from pathlib import Path

import rdflib
from pyoxigraph import RdfFormat, parse
from rdflib.compare import to_canonical_graph

from cybergov.namespaces import bind_prefixes
from cybergov.rdf_formats import syntax_error


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
