"""The SHACL shapes of ``shapes/``, read from their files and documented.

The shapes are kept apart from the ontology and from the store: they are
read from the bundled folder, which may be missing or empty (then there is
nothing to document, which is not an error).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple
from pyoxigraph import Store as OxigraphStore
from rdflib.namespace import RDF, RDFS

from cybergov.exchange.labels import Labels
from cybergov.namespaces import CGSH, SH, graph_iri, shorten
from cybergov.store.base import Term
from cybergov.store.factory import memory_store

log = logging.getLogger(__name__)

_NODE_SHAPES = f"""
SELECT DISTINCT ?g ?shape WHERE {{
  GRAPH ?g {{
    {{ ?shape a <{SH.NodeShape}> }}
    UNION {{ ?shape <{SH.targetClass}>|<{SH.targetNode}> ?t }}
    UNION {{ ?shape <{SH.targetSubjectsOf}>|<{SH.targetObjectsOf}> ?t }}
  }}
}}
"""

_PROPERTY_KEYS = {
    str(SH.minCount): "min_count",
    str(SH.maxCount): "max_count",
    str(SH.datatype): "datatype",
    str(SH["class"]): "class_",
    str(SH.nodeKind): "node_kind",
    str(SH.pattern): "pattern",
    str(SH.message): "message",
    str(SH.severity): "severity",
    str(SH.name): "name",
    str(SH.description): "description",
    str(SH.node): "node",
    str(SH.hasValue): "has_value",
    str(SH.minLength): "min_length",
    str(SH.maxLength): "max_length",
}


@dataclass(slots=True)
class PropertyShape:
    """A constraint on the values of one path."""

    path: str
    path_iri: str | None
    facts: dict[str, Term] = field(default_factory=dict)
    allowed: list[Term] = field(default_factory=list)

    @property
    def cardinality(self) -> str:
        low = self.facts.get("min_count")
        high = self.facts.get("max_count")
        return f"{low.value if low else 0}..{high.value if high else '*'}"


@dataclass(slots=True)
class NodeShape:
    """A node shape: what it targets and the constraints it places."""

    iri: str
    file: str
    label: str | None = None
    description: str | None = None
    targets: list[tuple[str, str]] = field(default_factory=list)
    properties: list[PropertyShape] = field(default_factory=list)
    closed: bool = False

    @property
    def anchor(self) -> str:
        return self.iri[len(str(CGSH)) :] if self.iri.startswith(str(CGSH)) else shorten(self.iri)


@dataclass(slots=True)
class ShapesDoc:
    """Every shape file, its shapes and its quads (one named graph per file)."""

    folder: Path | None
    files: list[str]
    shapes: list[NodeShape]
    quads: list[Quad]
    labels: Labels


def _graph_of(file: str) -> NamedNode:
    return NamedNode(graph_iri("shapes", Path(file).stem))


def read_shapes(folder: Path | None) -> ShapesDoc:
    """Read and document every ``*.ttl`` of ``folder`` (nothing when it is missing or empty).

    Raises:
        RdfSyntaxError: a shapes file does not parse (the message names file, line, column).
    """
    files = sorted(folder.glob("*.ttl")) if folder is not None and folder.is_dir() else []
    store = memory_store()
    for path in files:
        store.replace_graph(
            _graph_of(path.name).value, path.read_bytes(), format=RdfFormat.TURTLE, source=str(path)
        )
    labels = Labels()
    shapes = [
        _node_shape(store.oxigraph, row["shape"], row["g"], labels)
        for row in store.select(_NODE_SHAPES).as_dicts()
        if isinstance(row["shape"], NamedNode | BlankNode)
    ]
    shapes.sort(key=lambda s: (s.file, s.iri))
    log.info("read %d shapes from %d files", len(shapes), len(files))
    return ShapesDoc(
        folder=folder,
        files=[p.name for p in files],
        shapes=shapes,
        quads=list(store.oxigraph.quads_for_pattern(None, None, None, None)),
        labels=labels,
    )


def _objects(store: OxigraphStore, subject: Term, predicate: str) -> list[Term]:
    if not isinstance(subject, NamedNode | BlankNode):
        return []
    found = store.quads_for_pattern(subject, NamedNode(predicate), None, None)
    return [q.object for q in found if not isinstance(q.object, Triple)]


def _list(store: OxigraphStore, head: Term) -> list[Term]:
    items: list[Term] = []
    seen: set[str] = set()
    while isinstance(head, BlankNode) and head.value not in seen:
        seen.add(head.value)
        items += _objects(store, head, str(RDF.first))
        rest = _objects(store, head, str(RDF.rest))
        head = rest[0] if rest else NamedNode(str(RDF.nil))
    return items


def render_path(store: OxigraphStore, path: Term, depth: int = 0) -> str:
    """A SHACL property path in SPARQL path syntax, with compact IRIs."""
    if isinstance(path, NamedNode):
        return shorten(path.value)
    if not isinstance(path, BlankNode) or depth > 8:
        return "?"
    for key, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = _objects(store, path, str(key))
        if inner:
            return template.format(render_path(store, inner[0], depth + 1))
    alternatives = _objects(store, path, str(SH.alternativePath))
    if alternatives:
        parts = [render_path(store, p, depth + 1) for p in _list(store, alternatives[0])]
        return "(" + " | ".join(parts) + ")"
    return " / ".join(render_path(store, p, depth + 1) for p in _list(store, path))


def _node_shape(store: OxigraphStore, shape: Term, graph: Term, labels: Labels) -> NodeShape:
    file = f"{graph.value.rsplit('/', 1)[-1]}.ttl"
    node = NodeShape(iri=shape.value, file=file)
    for label in _objects(store, shape, str(RDFS.label)) + _objects(store, shape, str(SH.name)):
        labels.offer(shape, label)
    node.label = labels.get(shape.value)
    described = _objects(store, shape, str(RDFS.comment)) + _objects(
        store, shape, str(SH.description)
    )
    node.description = next((d.value for d in described if isinstance(d, Literal)), None)
    for key in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"):
        node.targets += [(key, t.value) for t in _objects(store, shape, str(SH[key]))]
    node.closed = any(
        isinstance(v, Literal) and v.value == "true" for v in _objects(store, shape, str(SH.closed))
    )
    for prop in _objects(store, shape, str(SH.property)):
        paths = _objects(store, prop, str(SH.path))
        path = paths[0] if paths else None
        item = PropertyShape(
            path=render_path(store, path) if path is not None else "?",
            path_iri=path.value if isinstance(path, NamedNode) else None,
        )
        for predicate, name in _PROPERTY_KEYS.items():
            found = _objects(store, prop, predicate)
            if found:
                item.facts[name] = found[0]
        for allowed in _objects(store, prop, str(SH["in"])):
            item.allowed += _list(store, allowed)
        node.properties.append(item)
    node.properties.sort(key=lambda p: p.path)
    return node


__all__ = ["NodeShape", "PropertyShape", "ShapesDoc", "read_shapes", "render_path"]
