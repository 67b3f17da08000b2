"""The shapes read once into plain checks, and run on a data graph without pySHACL.

pySHACL is the reference (it validates the shapes themselves, and the tests hold
this module to its results on every shape example); it is also slow for what the
shapes ask: it mixes the ontology into the data graph at each call and walks its
own machinery for each focus node. Here the shapes graph is read once into
:class:`CompiledShapes`: for each shape its targets, its path and its
constraints. A validation then works on the data graph that validation in
context builds (the contribution and its context, with the ontology beside it,
never copied): the core constraints are evaluated in Python on the value nodes
of each focus node, and the SPARQL constraints are run by pyoxigraph, once per
constraint for every focus node at once (a ``VALUES`` list for ``$this``), on a
store that holds the ontology (loaded once) and the data graph.

The subset of SHACL read is the one the shapes use: targets by class, subjects
of and objects of; paths of one property, inverse or alternatives of those;
``sh:minCount``, ``maxCount``, ``class``, ``datatype``, ``pattern``, ``in``,
``minLength``, ``nodeKind``, ``languageIn``, ``hasValue``, ``closed`` and
``sh:sparql`` constraints on the focus node (``SELECT $this ...``). A shapes
graph with anything else is refused (:class:`Unsupported`), and validation falls
back to pySHACL.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock
from decimal import Decimal

import rdflib
from pyoxigraph import BlankNode, DefaultGraph, Quad, QuerySolution, QuerySolutions
from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode as OxNamedNode
from pyoxigraph import Store as OxigraphStore
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import BNode, Literal, Node, URIRef

from cybergov.contribute.intake import to_rdflib_term
from cybergov.namespaces import SH
from cybergov.store.factory import memory_store

_Triple = tuple[Node, Node, Node]

#: What a shape may say that this module reads (anything else in the sh: namespace is refused).
_KNOWN = frozenset(
    SH[name]
    for name in (
        "path",
        "property",
        "targetClass",
        "targetSubjectsOf",
        "targetObjectsOf",
        "minCount",
        "maxCount",
        "class",
        "datatype",
        "pattern",
        "in",
        "minLength",
        "nodeKind",
        "languageIn",
        "hasValue",
        "closed",
        "ignoredProperties",
        "sparql",
        "message",
        "name",
        "description",
        "order",
        "group",
    )
)
_SELECT_THIS = re.compile(r"^\s*SELECT\s+(DISTINCT\s+)?\$this\b", re.IGNORECASE)
_THIS = re.compile(r"[?$]this\b")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_NOT_A_JOIN = re.compile(r"\bMINUS\b|\bSELECT\b[^{]*\bWHERE\b[^{]*\{[^}]*\bSELECT\b", re.I | re.S)
_FOCUS = "#focus#"
#: Focus nodes in one ``VALUES`` list.
_PER_QUERY = 400


class Unsupported(Exception):
    """The shapes use SHACL this module does not read."""


def _component(name: str) -> URIRef:
    return SH[f"{name}ConstraintComponent"]


@dataclass(frozen=True, slots=True)
class _Sparql:
    node: Node
    text: str
    messages: tuple[Literal, ...]
    #: The query for many focus nodes at once (``$this`` bound by a ``VALUES`` list opening
    #: its ``WHERE`` group, :data:`_FOCUS` standing for the list), or ``None`` when the text
    #: has a ``MINUS`` or a subquery, where a join is not the substitution SHACL defines.
    batched: str | None = None


@dataclass(slots=True)
class _Shape:
    node: Node
    path: Node | None = None
    steps: tuple[tuple[URIRef, bool], ...] = ()
    classes: tuple[URIRef, ...] = ()
    subjects_of: tuple[URIRef, ...] = ()
    objects_of: tuple[URIRef, ...] = ()
    properties: list[_Shape] = field(default_factory=list)
    messages: tuple[Literal, ...] = ()
    min_count: int | None = None
    max_count: int | None = None
    must_be: tuple[URIRef, ...] = ()  # sh:class
    datatype: URIRef | None = None
    patterns: tuple[re.Pattern[str], ...] = ()
    allowed: frozenset[Node] | None = None  # sh:in
    min_length: int | None = None
    node_kind: URIRef | None = None
    languages: tuple[str, ...] | None = None
    has_value: Node | None = None
    closed: frozenset[URIRef] | None = None
    sparql: tuple[_Sparql, ...] = ()

    @property
    def targeted(self) -> bool:
        return bool(self.classes or self.subjects_of or self.objects_of)


def _one(shapes: rdflib.Graph, node: Node, predicate: URIRef) -> Node | None:
    values = list(shapes.objects(node, predicate))
    if len(values) > 1:
        raise Unsupported(f"{node} has several {predicate}")
    return values[0] if values else None


def _iris(shapes: rdflib.Graph, node: Node, predicate: URIRef) -> tuple[URIRef, ...]:
    values = tuple(sorted(shapes.objects(node, predicate), key=str))
    if not all(isinstance(v, URIRef) for v in values):
        raise Unsupported(f"{node}: {predicate} of something other than an IRI")
    return values  # type: ignore[return-value]


def _steps(shapes: rdflib.Graph, path: Node) -> tuple[tuple[URIRef, bool], ...]:
    if isinstance(path, URIRef):
        return ((path, False),)
    inverse = _one(shapes, path, SH.inversePath)
    if isinstance(inverse, URIRef):
        return ((inverse, True),)
    alternatives = _one(shapes, path, SH.alternativePath)
    if alternatives is not None:
        steps: list[tuple[URIRef, bool]] = []
        for item in Collection(shapes, alternatives):
            found = _steps(shapes, item)
            steps.extend(found)
        return tuple(steps)
    raise Unsupported(f"a path this module does not read: {path}")


def _prefixes(shapes: rdflib.Graph, constraint: Node) -> str:
    lines = []
    for ontology in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(ontology, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def _sparql(shapes: rdflib.Graph, node: Node) -> tuple[_Sparql, ...]:
    found = []
    for constraint in sorted(shapes.objects(node, SH.sparql), key=str):
        select = _one(shapes, constraint, SH.select)
        if select is None or not _SELECT_THIS.match(str(select)):
            raise Unsupported(f"{constraint}: only SELECT $this ... constraints are read")
        if any(shapes.objects(constraint, SH.deactivated)) or "$PATH" in str(select):
            raise Unsupported(f"{constraint}: deactivated or path-bound SPARQL constraints")
        # $this is pre-bound by substitution, as SHACL defines it: written in the text for
        # each focus node (pyoxigraph's own substitutions filter late, at a cost per node).
        projected = _SELECT_THIS.sub(
            lambda m: f"SELECT {m.group(1) or ''}($this AS ?focusNode)", str(select), count=1
        )
        text = f"{_prefixes(shapes, constraint)}\n{projected}"
        messages = tuple(
            m for m in shapes.objects(constraint, SH.message) if isinstance(m, Literal)
        )
        found.append(_Sparql(constraint, text, messages, _batched(text)))
    return tuple(found)


def _batched(text: str) -> str | None:
    """``text`` with ``$this`` a variable bound by a ``VALUES`` list at the start of its
    ``WHERE`` group: the same solutions as the substitution for each node of the list, as
    long as ``$this`` is bound before any part that reads it (no ``MINUS``, no subquery)."""
    where = _WHERE.search(text)
    if where is None or _NOT_A_JOIN.search(text) or text.upper().count("SELECT") > 1:
        return None
    head, body = text[: where.end()], text[where.end() :]
    return f"{_THIS.sub('?this', head)} VALUES ?this {{ {_FOCUS} }} {_THIS.sub('?this', body)}"


def _count(shapes: rdflib.Graph, node: Node, predicate: URIRef) -> int | None:
    value = _one(shapes, node, predicate)
    return int(value) if isinstance(value, Literal) else None


def _read(shapes: rdflib.Graph, node: Node, seen: dict[Node, _Shape]) -> _Shape:
    if node in seen:
        return seen[node]
    used = {p for p in shapes.predicates(node, None) if str(p).startswith(str(SH))}
    if used - _KNOWN:
        raise Unsupported(f"{node} uses {', '.join(sorted(str(p) for p in used - _KNOWN))}")
    if (node, SH.severity, None) in shapes or (node, SH.deactivated, None) in shapes:
        raise Unsupported(f"{node}: severities and deactivated shapes are not read")
    shape = _Shape(node)
    seen[node] = shape
    path = _one(shapes, node, SH.path)
    if path is not None:
        shape.path, shape.steps = path, _steps(shapes, path)
    shape.classes = _iris(shapes, node, SH.targetClass)
    shape.subjects_of = _iris(shapes, node, SH.targetSubjectsOf)
    shape.objects_of = _iris(shapes, node, SH.targetObjectsOf)
    shape.messages = tuple(m for m in shapes.objects(node, SH.message) if isinstance(m, Literal))
    shape.min_count = _count(shapes, node, SH.minCount)
    shape.max_count = _count(shapes, node, SH.maxCount)
    shape.must_be = _iris(shapes, node, SH["class"])
    datatype = _one(shapes, node, SH.datatype)
    shape.datatype = datatype if isinstance(datatype, URIRef) else None
    shape.patterns = tuple(re.compile(str(p)) for p in shapes.objects(node, SH.pattern))
    listed = _one(shapes, node, SH["in"])
    if listed is not None:
        shape.allowed = frozenset(Collection(shapes, listed))
    shape.min_length = _count(shapes, node, SH.minLength)
    kind = _one(shapes, node, SH.nodeKind)
    shape.node_kind = kind if isinstance(kind, URIRef) else None
    languages = _one(shapes, node, SH.languageIn)
    if languages is not None:
        shape.languages = tuple(str(tag).lower() for tag in Collection(shapes, languages))
    shape.has_value = _one(shapes, node, SH.hasValue)
    if (node, SH.closed, Literal(True)) in shapes:
        ignored = _one(shapes, node, SH.ignoredProperties)
        allowed = set(Collection(shapes, ignored)) if ignored is not None else set()
        for prop in shapes.objects(node, SH.property):
            step = _one(shapes, prop, SH.path)
            if isinstance(step, URIRef):
                allowed.add(step)
        shape.closed = frozenset(a for a in allowed if isinstance(a, URIRef))
    # On a property shape too, ``$this`` is the focus node (SHACL 5.3.1); a constraint that
    # does not bind ``?path`` reports the shape's path. ``$PATH`` is refused in ``_sparql``.
    shape.sparql = _sparql(shapes, node)
    shape.properties = [
        _read(shapes, p, seen) for p in sorted(shapes.objects(node, SH.property), key=str)
    ]
    return shape


_NODE_KINDS: dict[URIRef, tuple[type, ...]] = {
    SH.IRI: (URIRef,),
    SH.BlankNode: (BNode,),
    SH.Literal: (Literal,),
    SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal),
    SH.IRIOrLiteral: (URIRef, Literal),
}
_PYTHON_TYPES: dict[URIRef, type | tuple[type, ...]] = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: date,
    XSD.time: clock,
    XSD.dateTime: datetime,
}


def _of_datatype(value: Node, datatype: URIRef) -> bool:
    """Whether a value node is a literal of the datatype, as SHACL (and pySHACL) judge it."""
    if not isinstance(value, Literal):
        return False
    if datatype == RDFS.Literal:
        return True
    if datatype == RDFS.Datatype:
        return value.datatype is not None
    plain = value.datatype is None and value.language is None
    if not (
        value.datatype == datatype
        or (plain and datatype == XSD.string)
        or (value.language is not None and datatype == RDF.langString)
    ):
        return False
    if value.datatype == datatype and getattr(value, "ill_typed", None) is True:
        return False
    expected = _PYTHON_TYPES.get(datatype)
    return expected is None or isinstance(value.value, expected)


@dataclass(frozen=True, slots=True)
class Result:
    """One validation result, as pySHACL would report it."""

    focus: Node
    shape: Node
    component: URIRef
    path: Node | None = None
    value: Node | None = None
    constraint: Node | None = None
    messages: tuple[Literal, ...] = ()


class _Index:
    """A graph's statements in dictionaries, by subject and by object: read once, looked up
    for every focus node and value node without rdflib's own index walks."""

    def __init__(self, graph: rdflib.Graph) -> None:
        self.out: dict[Node, dict[Node, set[Node]]] = {}
        self.into: dict[Node, dict[Node, set[Node]]] = {}
        self.by_predicate: dict[Node, tuple[set[Node], set[Node]]] = {}
        for s, p, o in graph:
            self.out.setdefault(s, {}).setdefault(p, set()).add(o)
            self.into.setdefault(o, {}).setdefault(p, set()).add(s)
            subjects, objects = self.by_predicate.setdefault(p, (set(), set()))
            subjects.add(s)
            objects.add(o)

    def objects(self, subject: Node, predicate: Node) -> set[Node]:
        return self.out.get(subject, {}).get(predicate, set())

    def subjects(self, predicate: Node, obj: Node) -> set[Node]:
        return self.into.get(obj, {}).get(predicate, set())

    def predicate_objects(self, subject: Node) -> Iterator[tuple[Node, Node]]:
        for predicate, objects in self.out.get(subject, {}).items():
            for obj in objects:
                yield predicate, obj

    def ends(self, subjects_of: Iterable[Node], objects_of: Iterable[Node]) -> set[Node]:
        """The subjects of statements with the ``subjects_of`` predicates and the objects of
        those with the ``objects_of`` predicates."""
        found: set[Node] = set()
        none: tuple[set[Node], set[Node]] = (set(), set())
        for predicate in subjects_of:
            found |= self.by_predicate.get(predicate, none)[0]
        for predicate in objects_of:
            found |= self.by_predicate.get(predicate, none)[1]
        return found


class _View:
    """The data graph and the ontology, read as one graph without being merged."""

    def __init__(self, data: _Index, ontology: _Index) -> None:
        self.graphs = (data, ontology)
        self.data = data
        self._types: dict[Node, frozenset[Node]] = {}
        self._supers: dict[Node, frozenset[Node]] = {}

    def objects(self, subject: Node, predicate: URIRef) -> set[Node]:
        data, ontology = self.graphs
        return data.objects(subject, predicate) | ontology.objects(subject, predicate)

    def subjects(self, predicate: URIRef, obj: Node) -> set[Node]:
        data, ontology = self.graphs
        return data.subjects(predicate, obj) | ontology.subjects(predicate, obj)

    def values(self, focus: Node, steps: tuple[tuple[URIRef, bool], ...]) -> set[Node]:
        found: set[Node] = set()
        for predicate, inverse in steps:
            found |= self.subjects(predicate, focus) if inverse else self.objects(focus, predicate)
        return found

    def superclasses(self, cls: Node) -> frozenset[Node]:
        if cls not in self._supers:
            seen = {cls}
            todo = [cls]
            while todo:
                for parent in self.objects(todo.pop(), RDFS.subClassOf):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            self._supers[cls] = frozenset(seen)
        return self._supers[cls]

    def types(self, node: Node) -> frozenset[Node]:
        """Every class ``node`` is an instance of: its types and their superclasses."""
        if node not in self._types:
            self._types[node] = frozenset(
                c for t in self.objects(node, RDF.type) for c in self.superclasses(t)
            )
        return self._types[node]


def _value_problems(shape: _Shape, view: _View, value: Node) -> Iterator[str]:
    """The constraint components of ``shape`` that one value node fails."""
    for cls in shape.must_be:
        if isinstance(value, Literal) or cls not in view.types(value):
            yield "Class"
    if shape.datatype is not None and not _of_datatype(value, shape.datatype):
        yield "Datatype"
    if shape.patterns and (
        isinstance(value, BNode) or not all(p.search(str(value)) for p in shape.patterns)
    ):
        yield "Pattern"
    if shape.allowed is not None and value not in shape.allowed:
        yield "In"
    if shape.min_length is not None and (
        isinstance(value, BNode) or len(str(value)) < shape.min_length
    ):
        yield "MinLength"
    if shape.node_kind is not None and not isinstance(value, _NODE_KINDS.get(shape.node_kind, ())):
        yield "NodeKind"
    if shape.languages is not None and not (
        isinstance(value, Literal)
        and value.language is not None
        and any(
            value.language.lower() == tag or value.language.lower().startswith(f"{tag}-")
            for tag in shape.languages
        )
    ):
        yield "LanguageIn"


class CompiledShapes:
    """The shapes of a shapes graph, read once, ready to validate data graphs.

    Raises:
        Unsupported: the shapes use SHACL this module does not read.
    """

    def __init__(self, shapes: rdflib.Graph, ontology: rdflib.Graph) -> None:
        seen: dict[Node, _Shape] = {}
        roots = (
            set(shapes.subjects(SH.targetClass, None))
            | set(shapes.subjects(SH.targetSubjectsOf, None))
            | set(shapes.subjects(SH.targetObjectsOf, None))
        )
        for other in (SH.targetNode, SH.target):
            if any(shapes.subjects(other, None)):
                raise Unsupported(f"the shapes use {other}")
        self.shapes = [_read(shapes, node, seen) for node in sorted(roots, key=str)]
        self.ontology = ontology
        self._ontology_index = _Index(ontology)
        self._in_ontology: dict[Node, frozenset[Node]] = {}
        #: The ontology, loaded once into the default graph; each validation adds its data
        #: graph as a named graph of its own, read with the ontology as the default graph.
        self._store = memory_store().oxigraph
        self._store.bulk_extend(
            Quad(_ox(s), _ox(p), _ox(o), DefaultGraph())  # type: ignore[arg-type]
            for s, p, o in ontology
        )

    # --- targets and core constraints ---------------------------------------------------------

    def _ends(self, shape: _Shape, graph: _Index) -> set[Node]:
        """The subjects and objects ``shape`` targets in ``graph``."""
        return graph.ends(shape.subjects_of, shape.objects_of)

    def _focus(self, shape: _Shape, view: _View, focus: Iterable[Node]) -> list[Node]:
        classes = set(shape.classes)
        if shape.node not in self._in_ontology:  # the ontology's part, found once
            self._in_ontology[shape.node] = frozenset(self._ends(shape, self._ontology_index))
        targeted = self._in_ontology[shape.node] | self._ends(shape, view.data)
        chosen = []
        for node in focus:
            if node in targeted or (classes and view.types(node) & classes):
                chosen.append(node)
        return chosen

    def _check(self, shape: _Shape, view: _View, focus: Node) -> Iterator[Result]:
        values = view.values(focus, shape.steps) if shape.path is not None else {focus}

        def result(component: str, value: Node | None = None) -> Result:
            return Result(
                focus, shape.node, _component(component), shape.path, value, None, shape.messages
            )

        if shape.min_count is not None and len(values) < shape.min_count:
            yield result("MinCount")
        if shape.max_count is not None and len(values) > shape.max_count:
            yield result("MaxCount")
        for value in sorted(values, key=str):
            for component in _value_problems(shape, view, value):
                yield result(component, value)
        if shape.has_value is not None and shape.has_value not in values:
            yield result("HasValue")
        if shape.closed is not None:
            for predicate, value in sorted(view.data.predicate_objects(focus), key=str):
                if predicate not in shape.closed:
                    yield Result(
                        focus,
                        shape.node,
                        _component("Closed"),
                        predicate,
                        value,
                        None,
                        shape.messages,
                    )

    def _validate(
        self, shape: _Shape, view: _View, focus: list[Node], sparql: list[tuple[_Shape, list[Node]]]
    ) -> Iterator[Result]:
        for node in focus:
            yield from self._check(shape, view, node)
        if shape.sparql and focus:
            sparql.append((shape, focus))
        for prop in shape.properties:
            yield from self._validate(prop, view, focus, sparql)

    def validate(self, data: rdflib.Graph, focus: Iterable[Node]) -> list[Result]:
        """The results of validating the ``focus`` nodes of ``data`` (with the ontology beside it).

        As pySHACL with ``focus_nodes``: a shape validates the focus nodes it targets.
        """
        view = _View(_Index(data), self._ontology_index)
        wanted = [node for node in focus if isinstance(node, URIRef)]
        results: list[Result] = []
        sparql: list[tuple[_Shape, list[Node]]] = []
        for shape in self.shapes:
            chosen = self._focus(shape, view, wanted)
            if chosen:
                results.extend(self._validate(shape, view, chosen, sparql))
        if sparql:
            results.extend(self._run_sparql(data, sparql))
        return results

    # --- SPARQL constraints ------------------------------------------------------------------

    def _run_sparql(
        self, data: rdflib.Graph, work: list[tuple[_Shape, list[Node]]]
    ) -> Iterator[Result]:
        graph = OxNamedNode(f"urn:cybergov:validation:{uuid.uuid4().hex}")
        store = self._store
        store.extend(
            Quad(_ox(s), _ox(p), _ox(o), graph)  # type: ignore[arg-type]
            for s, p, o in data
        )
        try:
            yield from self._sparql_results(store, graph, work)
        finally:
            store.remove_graph(graph)

    def _sparql_results(
        self, store: OxigraphStore, graph: OxNamedNode, work: list[tuple[_Shape, list[Node]]]
    ) -> Iterator[Result]:
        seen: set[tuple[object, ...]] = set()
        dataset: list[OxNamedNode | BlankNode | DefaultGraph] = [DefaultGraph(), graph]
        for shape, focus in work:
            for constraint in shape.sparql:
                for node, row, names in _answers(store, dataset, constraint, focus):
                    bound: dict[str, Node] = {
                        name: to_rdflib_term(row[name]) for name in names if row[name] is not None
                    }
                    bound["this"] = node
                    key = (constraint.node, *sorted(bound.items(), key=str))
                    if key in seen:  # a statement of both the ontology and the data
                        continue
                    seen.add(key)
                    messages = tuple(
                        _formatted(m, bound) for m in (*constraint.messages, *shape.messages)
                    )
                    yield Result(
                        node,
                        shape.node,
                        _component("SPARQL"),
                        bound.get("path", shape.path),
                        bound.get("value"),
                        constraint.node,
                        messages,
                    )


def _answers(
    store: OxigraphStore,
    dataset: list[OxNamedNode | BlankNode | DefaultGraph],
    constraint: _Sparql,
    focus: list[Node],
) -> Iterator[tuple[Node, QuerySolution, list[str]]]:
    """The solutions of ``constraint`` for each focus node, with the node they are about."""
    if constraint.batched is not None:
        for start in range(0, len(focus), _PER_QUERY):
            part = focus[start : start + _PER_QUERY]
            text = constraint.batched.replace(_FOCUS, " ".join(str(_ox(n)) for n in part))
            answer = store.query(text, default_graph=dataset)
            assert isinstance(answer, QuerySolutions)
            names = [v.value for v in answer.variables]
            for row in answer:
                node = row["focusNode"]
                if node is not None:
                    yield to_rdflib_term(node), row, names
        return
    for node in focus:
        written = str(_ox(node)).replace("\\", "\\\\")  # a replacement string
        answer = store.query(_THIS.sub(written, constraint.text), default_graph=dataset)
        assert isinstance(answer, QuerySolutions)
        names = [v.value for v in answer.variables]
        for row in answer:
            yield node, row, names


def _formatted(message: Literal, bound: dict[str, Node]) -> Literal:
    text = str(message)
    for name, value in bound.items():
        for marker in (f"{{?{name}}}", f"{{${name}}}"):
            text = text.replace(marker, str(value))
    return Literal(text, lang=message.language) if message.language else Literal(text)


def _ox(term: Node) -> OxNamedNode | BlankNode | OxLiteral:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return OxNamedNode(str(term))
    if isinstance(term, BNode):
        return BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return OxLiteral(str(term), language=term.language)
        if term.datatype is not None:
            return OxLiteral(str(term), datatype=OxNamedNode(str(term.datatype)))
        return OxLiteral(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def report_graph(results: list[Result], shapes: rdflib.Graph) -> rdflib.Graph:
    """The results as a SHACL validation report graph, as pySHACL writes one."""
    graph = rdflib.Graph(bind_namespaces="none")
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(not results)))
    for result in results:
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, result.focus))
        graph.add((node, SH.sourceShape, result.shape))
        graph.add((node, SH.sourceConstraintComponent, result.component))
        graph.add((node, SH.resultSeverity, SH.Violation))
        if result.path is not None:
            graph.add((node, SH.resultPath, result.path))
            if isinstance(result.path, BNode):
                _copy_closure(shapes, result.path, graph)
        if result.value is not None:
            graph.add((node, SH.value, result.value))
        if result.constraint is not None:
            graph.add((node, SH.sourceConstraint, result.constraint))
        for message in result.messages:
            graph.add((node, SH.resultMessage, message))
    return graph


def _copy_closure(source: rdflib.Graph, node: Node, target: rdflib.Graph) -> None:
    todo = [node]
    while todo:
        current = todo.pop()
        for p, o in source.predicate_objects(current):
            if (current, p, o) not in target:
                target.add((current, p, o))
                if isinstance(o, BNode):
                    todo.append(o)


__all__ = ["CompiledShapes", "Result", "Unsupported", "report_graph"]
