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
store that holds the ontology (loaded once) and the data graph. The SPARQL
constraints that most focus nodes meet are evaluated in Python first
(:mod:`cybergov.contribute.sparql_evaluations`): their queries run only for the
nodes those evaluations leave to them, and the data are copied into the store
only then.

The subset of SHACL read is the one the shapes use: targets by class, subjects
of and objects of; paths of one property, inverse or alternatives of those;
``sh:minCount``, ``maxCount``, ``class``, ``datatype``, ``pattern``, ``in``,
``minLength``, ``nodeKind``, ``languageIn``, ``hasValue``, ``closed`` and
``sh:sparql`` constraints on the focus node (``SELECT $this ...``). A shapes
graph with anything else is refused (:class:`Unsupported`), and validation falls
back to pySHACL.

The data are pyoxigraph terms (:class:`Index`), as the store and the importers hold them:
no rdflib graph is built for a validation. A literal is read as rdflib reads it (its
Python value, its normalised lexical form) where a constraint asks about it (datatype,
pattern, length); the results are rdflib terms, as pySHACL reports them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Iterator, KeysView, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock
from decimal import Decimal
from functools import lru_cache

import rdflib
from pyoxigraph import BlankNode, DefaultGraph, Quad, QuerySolution, QuerySolutions
from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode as OxNamedNode
from pyoxigraph import Store as OxigraphStore
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import BNode, Literal, Node, URIRef

from cybergov.contribute.intake import to_rdflib_term
from cybergov.contribute.sparql_evaluations import Evaluation, Solution, evaluation
from cybergov.namespaces import SH
from cybergov.store.factory import memory_store

#: A term of the data, as pyoxigraph reads it.
Term = OxNamedNode | BlankNode | OxLiteral
#: A statement of the data: subject, predicate, object.
Statement = tuple[OxNamedNode | BlankNode, OxNamedNode, Term]

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
_XSD_STRING = OxNamedNode(str(XSD.string))
_STRING_TYPES = frozenset((_XSD_STRING, OxNamedNode(str(RDF.langString))))


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
    #: Its evaluation in Python (:mod:`cybergov.contribute.sparql_evaluations`), if the text
    #: is the one that evaluation was written for.
    evaluation: Evaluation | None = None


@dataclass(slots=True)
class _Shape:
    """A shape: its node and path as the shapes graph names them (for the results), what it
    targets and asks as pyoxigraph terms (to compare with the data)."""

    node: Node
    path: Node | None = None
    steps: tuple[tuple[OxNamedNode, bool], ...] = ()
    classes: tuple[OxNamedNode, ...] = ()
    subjects_of: tuple[OxNamedNode, ...] = ()
    objects_of: tuple[OxNamedNode, ...] = ()
    properties: list[_Shape] = field(default_factory=list)
    messages: tuple[Literal, ...] = ()
    min_count: int | None = None
    max_count: int | None = None
    must_be: tuple[OxNamedNode, ...] = ()  # sh:class
    datatype: URIRef | None = None
    patterns: tuple[re.Pattern[str], ...] = ()
    allowed: frozenset[Term] | None = None  # sh:in
    min_length: int | None = None
    node_kind: URIRef | None = None
    #: The pyoxigraph types of :attr:`node_kind`.
    kinds: tuple[type, ...] | None = None
    languages: tuple[str, ...] | None = None
    has_value: Term | None = None
    closed: frozenset[OxNamedNode] | None = None
    sparql: tuple[_Sparql, ...] = ()
    #: :attr:`judges_values`, worked out once the shape is read.
    per_value: bool = False
    #: Whether the shape has core constraints (anything :meth:`CompiledShapes._check` reads).
    core: bool = False
    #: The datatype when it is ``xsd:string`` or ``rdf:langString``, as pyoxigraph names it.
    string_type: OxNamedNode | None = None

    @property
    def targeted(self) -> bool:
        return bool(self.classes or self.subjects_of or self.objects_of)

    @property
    def judges_values(self) -> bool:
        """Whether the shape asks anything of each value node (:func:`_value_problems`)."""
        return bool(
            self.must_be
            or self.datatype is not None
            or self.patterns
            or self.allowed is not None
            or self.min_length is not None
            or self.node_kind is not None
            or self.languages is not None
        )


def _one(shapes: rdflib.Graph, node: Node, predicate: URIRef) -> Node | None:
    values = list(shapes.objects(node, predicate))
    if len(values) > 1:
        raise Unsupported(f"{node} has several {predicate}")
    return values[0] if values else None


def _iris(shapes: rdflib.Graph, node: Node, predicate: URIRef) -> tuple[OxNamedNode, ...]:
    values = tuple(sorted(shapes.objects(node, predicate), key=str))
    if not all(isinstance(v, URIRef) for v in values):
        raise Unsupported(f"{node}: {predicate} of something other than an IRI")
    return tuple(OxNamedNode(str(v)) for v in values)


def _steps(shapes: rdflib.Graph, path: Node) -> tuple[tuple[OxNamedNode, bool], ...]:
    if isinstance(path, URIRef):
        return ((OxNamedNode(str(path)), False),)
    inverse = _one(shapes, path, SH.inversePath)
    if isinstance(inverse, URIRef):
        return ((OxNamedNode(str(inverse)), True),)
    alternatives = _one(shapes, path, SH.alternativePath)
    if alternatives is not None:
        steps: list[tuple[OxNamedNode, bool]] = []
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
        found.append(
            _Sparql(constraint, text, messages, _batched(text), evaluation(str(constraint), text))
        )
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
    if shape.datatype is not None and OxNamedNode(str(shape.datatype)) in _STRING_TYPES:
        shape.string_type = OxNamedNode(str(shape.datatype))
    shape.patterns = tuple(re.compile(str(p)) for p in shapes.objects(node, SH.pattern))
    listed = _one(shapes, node, SH["in"])
    if listed is not None:
        shape.allowed = frozenset(to_ox(item) for item in Collection(shapes, listed))
    shape.min_length = _count(shapes, node, SH.minLength)
    kind = _one(shapes, node, SH.nodeKind)
    shape.node_kind = kind if isinstance(kind, URIRef) else None
    if shape.node_kind is not None:
        shape.kinds = _NODE_KINDS.get(shape.node_kind, ())
    languages = _one(shapes, node, SH.languageIn)
    if languages is not None:
        shape.languages = tuple(str(tag).lower() for tag in Collection(shapes, languages))
    has_value = _one(shapes, node, SH.hasValue)
    shape.has_value = None if has_value is None else to_ox(has_value)
    if (node, SH.closed, Literal(True)) in shapes:
        ignored = _one(shapes, node, SH.ignoredProperties)
        allowed = set(Collection(shapes, ignored)) if ignored is not None else set()
        for prop in shapes.objects(node, SH.property):
            step = _one(shapes, prop, SH.path)
            if isinstance(step, URIRef):
                allowed.add(step)
        shape.closed = frozenset(OxNamedNode(str(a)) for a in allowed if isinstance(a, URIRef))
    # On a property shape too, ``$this`` is the focus node (SHACL 5.3.1); a constraint that
    # does not bind ``?path`` reports the shape's path. ``$PATH`` is refused in ``_sparql``.
    shape.sparql = _sparql(shapes, node)
    shape.properties = [
        _read(shapes, p, seen) for p in sorted(shapes.objects(node, SH.property), key=str)
    ]
    shape.per_value = shape.judges_values
    shape.core = (
        shape.per_value
        or shape.min_count is not None
        or shape.max_count is not None
        or shape.has_value is not None
        or shape.closed is not None
    )
    return shape


_NODE_KINDS: dict[URIRef, tuple[type, ...]] = {
    SH.IRI: (OxNamedNode,),
    SH.BlankNode: (BlankNode,),
    SH.Literal: (OxLiteral,),
    SH.BlankNodeOrIRI: (BlankNode, OxNamedNode),
    SH.BlankNodeOrLiteral: (BlankNode, OxLiteral),
    SH.IRIOrLiteral: (OxNamedNode, OxLiteral),
}
_TYPE = OxNamedNode(str(RDF.type))
_SUBCLASS_OF = OxNamedNode(str(RDFS.subClassOf))
_LABEL = OxNamedNode(str(RDFS.label))
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


def _as_written(literal: OxLiteral) -> bool:
    """Whether rdflib reads ``literal`` as it is written: a string, plain or with a language
    (its Python value the text itself, its lexical form not normalised)."""
    return literal.language is not None or literal.datatype == _XSD_STRING


def _text_of_datatype(value: Term, shape: _Shape, view: _View) -> bool:
    """:func:`_of_datatype` of the value node as rdflib reads it, without reading it when the
    shape asks for ``xsd:string`` or ``rdf:langString`` and the literal is one: rdflib reads
    it as a string (pyoxigraph gives a language-tagged literal the type ``rdf:langString``)."""
    if (
        shape.string_type is not None
        and isinstance(value, OxLiteral)
        and value.datatype == shape.string_type
    ):
        return True
    assert shape.datatype is not None
    if isinstance(value, OxLiteral):
        return _literal_of_datatype(value, shape.datatype)
    return _of_datatype(view.rdflib(value), shape.datatype)


@lru_cache(maxsize=65_536)
def _literal_text(value: OxLiteral) -> str:
    """The lexical form rdflib writes of a literal, worked out once for the literals met
    again (the days of an import's dates)."""
    return str(to_rdflib_term(value))


@lru_cache(maxsize=65_536)
def _literal_of_datatype(value: OxLiteral, datatype: URIRef) -> bool:
    """:func:`_of_datatype` of a literal as rdflib reads it, worked out once for the literals
    met again (the days of an import's dates)."""
    return _of_datatype(to_rdflib_term(value), datatype)


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


_NOTHING: frozenset[Term] = frozenset()
_NO_LINKS: dict[Term, set[Term]] = {}  # never added to


class Index:
    """A data graph's statements (pyoxigraph terms) in dictionaries, by subject and by
    object: read once, looked up for every focus node and value node.

    The statements are tuples (:data:`Statement`), not :class:`pyoxigraph.Triple`: a triple
    makes new Python objects of its terms each time it is taken apart, which cost more than
    indexing them. By object, only the statements whose object is an IRI or a blank node are
    indexed (:attr:`into`): the shapes follow links backwards, never literals, and a literal
    object (a label, a date) is most often met once, where indexing it cost the most."""

    def __init__(self, statements: Iterable[Statement] = ()) -> None:
        self.out: dict[Term, dict[Term, set[Term]]] = {}
        #: The statements by object and predicate, for objects that are not literals.
        self.into: dict[Term, dict[Term, set[Term]]] = {}
        self.by_predicate: dict[Term, tuple[set[Term], set[Term]]] = {}
        self.triples: list[Statement] = []
        self.extend(statements)

    def add(self, statement: Statement) -> None:
        """Add a statement (once: a graph is a set)."""
        self.extend((statement,))

    def extend(self, statements: Iterable[Statement]) -> None:
        """Add statements (each once), in their order."""
        out, into, by_predicate, kept = self.out, self.into, self.by_predicate, self.triples
        for statement in statements:
            s, p, o = statement
            about = out.get(s)
            if about is None:
                about = out[s] = {}
            objects = about.get(p)
            if objects is None:
                objects = about[p] = set()
            elif o in objects:
                continue
            objects.add(o)
            kept.append(statement)
            ends = by_predicate.get(p)
            if ends is None:
                by_predicate[p] = ({s}, {o})
            else:
                ends[0].add(s)
                ends[1].add(o)
            if type(o) is OxLiteral:
                continue
            pointing = into.get(o)
            if pointing is None:
                into[o] = {p: {s}}
            else:
                subjects = pointing.get(p)
                if subjects is None:
                    pointing[p] = {s}
                else:
                    subjects.add(s)

    def __len__(self) -> int:
        return len(self.triples)

    def objects(self, subject: Term, predicate: Term) -> AbstractSet[Term]:
        """The objects (the index's own set, or an empty one: not to be changed)."""
        return self.out.get(subject, _NO_LINKS).get(predicate, _NOTHING)

    def subjects(self, predicate: Term, obj: Term) -> AbstractSet[Term]:
        """The subjects (as :meth:`objects`, not to be changed)."""
        if isinstance(obj, OxLiteral):  # not in :attr:`into`: found among the subjects
            ends = self.by_predicate.get(predicate)
            if ends is None:
                return _NOTHING
            return {s for s in ends[0] if obj in self.out[s][predicate]}
        return self.into.get(obj, _NO_LINKS).get(predicate, _NOTHING)

    def subject_predicates(self, obj: Term) -> Iterator[tuple[Term, Term]]:
        """The subjects and predicates of the statements whose object is ``obj``."""
        if isinstance(obj, OxLiteral):
            for predicate in self.by_predicate:
                for subject in self.subjects(predicate, obj):
                    yield subject, predicate
            return
        for predicate, subjects in self.into.get(obj, _NO_LINKS).items():
            for subject in subjects:
                yield subject, predicate

    def predicates(self, subject: Term) -> KeysView[Term]:
        return self.out.get(subject, _NO_LINKS).keys()

    def predicate_objects(self, subject: Term) -> Iterator[tuple[Term, Term]]:
        for predicate, objects in self.out.get(subject, _NO_LINKS).items():
            for obj in objects:
                yield predicate, obj

    def ends(self, subjects_of: Iterable[Term], objects_of: Iterable[Term]) -> set[Term]:
        """The subjects of statements with the ``subjects_of`` predicates and the objects of
        those with the ``objects_of`` predicates."""
        found: set[Term] = set()
        none: tuple[set[Term], set[Term]] = (set(), set())
        for predicate in subjects_of:
            found |= self.by_predicate.get(predicate, none)[0]
        for predicate in objects_of:
            found |= self.by_predicate.get(predicate, none)[1]
        return found


class IndexedGraph:
    """An :class:`Index` read through the few rdflib methods a validation report uses
    (labels of the nodes it names, who points at a node)."""

    def __init__(self, index: Index) -> None:
        self.index = index

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        for value in self.index.objects(to_ox(subject), to_ox(predicate)):
            yield to_rdflib_term(value)

    def subject_predicates(self, obj: Node) -> Iterator[tuple[Node, Node]]:
        for subject, predicate in self.index.subject_predicates(to_ox(obj)):
            yield to_rdflib_term(subject), to_rdflib_term(predicate)

    def describes(self, node: Node) -> bool:
        """Whether ``node`` is the subject of a statement."""
        return to_ox(node) in self.index.out

    def to_rdflib(self, graph: rdflib.Graph | None = None) -> rdflib.Graph:
        """The statements as an rdflib graph (for pySHACL), added to ``graph`` if given."""
        graph = rdflib.Graph(bind_namespaces="none") if graph is None else graph
        terms: dict[Term, Node] = {}

        def term(value: Term) -> Node:
            found = terms.get(value)
            if found is None:
                found = terms[value] = to_rdflib_term(value)
            return found

        graph.addN((term(s), term(p), term(o), graph) for s, p, o in self.index.triples)
        return graph


#: Nodes, each with what the data and the ontology say of it (``None``: nothing).
_Described = list[tuple[Term, dict[Term, set[Term]], dict[Term, set[Term]] | None]]


class _View:
    """The data graph and the ontology, read as one graph without being merged."""

    def __init__(self, data: Index, ontology: Index, focus: list[Term]) -> None:
        self.graphs = (data, ontology)
        self.data = data
        self.focus = focus
        self.focus_set = frozenset(focus)
        self._types: dict[Term, frozenset[Term]] = {}
        self._supers: dict[Term, frozenset[Term]] = {}
        self._rdflib: dict[Term, Node] = {}
        self._instances: dict[Term, set[Term]] | None = None
        self._descriptions: dict[int, tuple[Iterable[Term], _Described]] = {}

    def rdflib(self, term: Term) -> Node:
        """``term`` as rdflib reads it (a literal's Python value, its normalised form)."""
        found = self._rdflib.get(term)
        if found is None:
            found = self._rdflib[term] = to_rdflib_term(term)
        return found

    def text(self, term: Term) -> str:
        """The string SHACL reads of a term: an IRI, a literal's lexical form (as rdflib
        writes it, which is what pySHACL reads)."""
        if isinstance(term, OxNamedNode) or (isinstance(term, OxLiteral) and _as_written(term)):
            return term.value
        if isinstance(term, OxLiteral):
            return _literal_text(term)
        return str(self.rdflib(term))

    def objects(self, subject: Term, predicate: Term) -> AbstractSet[Term]:
        """The objects in either graph (a set of one of them when the other has none: not
        to be changed)."""
        data, ontology = self.graphs
        first, second = data.objects(subject, predicate), ontology.objects(subject, predicate)
        return (first | second) if first and second else (first or second)

    def about(self, subject: Term) -> Mapping[Term, AbstractSet[Term]]:
        """The statements of ``subject`` in either graph: for each predicate, the objects
        (not to be changed)."""
        first = self.graphs[0].out.get(subject, _NO_LINKS)
        second = self.graphs[1].out.get(subject)
        if not second:
            return first
        return {p: self.objects(subject, p) for p in first.keys() | second.keys()}

    def subjects(self, predicate: Term, obj: Term) -> AbstractSet[Term]:
        """The subjects in either graph (as :meth:`objects`, not to be changed)."""
        data, ontology = self.graphs
        first, second = data.subjects(predicate, obj), ontology.subjects(predicate, obj)
        return (first | second) if first and second else (first or second)

    def values(self, focus: Term, steps: tuple[tuple[OxNamedNode, bool], ...]) -> AbstractSet[Term]:
        """The value nodes of a path (not to be changed)."""
        if len(steps) == 1:
            predicate, inverse = steps[0]
            return self.subjects(predicate, focus) if inverse else self.objects(focus, predicate)
        found: set[Term] = set()
        for predicate, inverse in steps:
            found |= self.subjects(predicate, focus) if inverse else self.objects(focus, predicate)
        return found

    def each_values(
        self, nodes: Iterable[Term], steps: tuple[tuple[OxNamedNode, bool], ...]
    ) -> Iterator[tuple[Term, AbstractSet[Term]]]:
        """Each node with the value nodes of a path (as :meth:`values`, looked up here for a
        path of one property: the most common, and the shapes ask it of every focus node)."""
        if len(steps) != 1 or steps[0][1]:
            for node in nodes:
                yield node, self.values(node, steps)
            return
        predicate = steps[0][0]
        for node, in_data, in_ontology in self._described(nodes):
            first = in_data.get(predicate, _NOTHING)
            if in_ontology is None:
                yield node, first
                continue
            second = in_ontology.get(predicate, _NOTHING)
            yield node, (first | second) if first and second else (first or second)

    def _described(self, nodes: Iterable[Term]) -> _Described:
        """Each node with what the data and the ontology say of it (``None``: nothing),
        looked up once for a list of focus nodes that every property shape of a node shape
        reads in turn."""
        kept = self._descriptions.get(id(nodes))
        if kept is not None and kept[0] is nodes:
            return kept[1]
        data, ontology = self.graphs[0].out, self.graphs[1].out
        found = [(node, data.get(node, _NO_LINKS), ontology.get(node)) for node in nodes]
        if isinstance(nodes, list):
            self._descriptions[id(nodes)] = (nodes, found)
        return found

    def superclasses(self, cls: Term) -> frozenset[Term]:
        if cls not in self._supers:
            seen = {cls}
            todo = [cls]
            while todo:
                for parent in self.objects(todo.pop(), _SUBCLASS_OF):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            self._supers[cls] = frozenset(seen)
        return self._supers[cls]

    def instances(self, classes: Iterable[Term]) -> set[Term]:
        """The focus nodes that are instances of any of ``classes`` (the focus nodes of each
        class found once for every shape)."""
        if self._instances is None:
            self._instances = {}
            for node in self.focus:
                for cls in self.types(node):
                    self._instances.setdefault(cls, set()).add(node)
        found: set[Term] = set()
        for cls in classes:
            found |= self._instances.get(cls, set())
        return found

    def types(self, node: Term) -> frozenset[Term]:
        """Every class ``node`` is an instance of: its types and their superclasses."""
        if node not in self._types:
            self._types[node] = frozenset(
                c for t in self.objects(node, _TYPE) for c in self.superclasses(t)
            )
        return self._types[node]


def _value_problems(shape: _Shape, view: _View, value: Term) -> Iterator[str]:
    """The constraint components of ``shape`` that one value node fails."""
    for cls in shape.must_be:
        if isinstance(value, OxLiteral) or cls not in view.types(value):
            yield "Class"
    if shape.datatype is not None and not _text_of_datatype(value, shape, view):
        yield "Datatype"
    if shape.patterns and (
        isinstance(value, BlankNode) or not all(p.search(view.text(value)) for p in shape.patterns)
    ):
        yield "Pattern"
    if shape.allowed is not None and value not in shape.allowed:
        yield "In"
    if shape.min_length is not None and (
        isinstance(value, BlankNode) or len(view.text(value)) < shape.min_length
    ):
        yield "MinLength"
    if shape.kinds is not None and not isinstance(value, shape.kinds):
        yield "NodeKind"
    if shape.languages is not None and not (
        isinstance(value, OxLiteral)
        and value.language is not None
        and any(
            value.language.lower() == tag or value.language.lower().startswith(f"{tag}-")
            for tag in shape.languages
        )
    ):
        yield "LanguageIn"


def _result(
    shape: _Shape, view: _View, focus: Term, component: str, value: Term | None = None
) -> Result:
    return Result(
        view.rdflib(focus),
        shape.node,
        _component(component),
        shape.path,
        None if value is None else view.rdflib(value),
        None,
        shape.messages,
    )


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
        statements: list[Statement] = [
            (to_ox(s), to_ox(p), to_ox(o))  # type: ignore[misc]
            for s, p, o in ontology
        ]
        self._ontology_index = Index(statements)
        self._in_ontology: dict[Node, frozenset[Term]] = {}
        #: The ontology, loaded into the default graph; each validation adds its data graph
        #: as a named graph of its own, read with the ontology as the default graph, and
        #: removes it after. pyoxigraph's memory store keeps removed statements in its
        #: indexes, so a query walks the data of every validation before: once more
        #: statements were removed than the ontology holds, the store is made again
        #: (a cost per removed statement that does not grow).
        self._store = self._ontology_store()
        self._removed = 0

    def _ontology_store(self) -> OxigraphStore:
        store = memory_store().oxigraph
        store.bulk_extend(Quad(s, p, o, DefaultGraph()) for s, p, o in self._ontology_index.triples)
        return store

    # --- targets and core constraints ---------------------------------------------------------

    def _ends(self, shape: _Shape, graph: Index) -> set[Term]:
        """The subjects and objects ``shape`` targets in ``graph``."""
        return graph.ends(shape.subjects_of, shape.objects_of)

    def _focus(self, shape: _Shape, view: _View) -> list[Term]:
        """The focus nodes of the view ``shape`` targets, in their order."""
        classes = set(shape.classes)
        if shape.node not in self._in_ontology:  # the ontology's part, found once
            self._in_ontology[shape.node] = frozenset(self._ends(shape, self._ontology_index))
        targeted = self._in_ontology[shape.node] | self._ends(shape, view.data)
        if classes:
            targeted |= view.instances(classes)
        chosen = targeted & view.focus_set
        if not chosen or len(chosen) == len(view.focus):
            return list(view.focus) if chosen else []
        return [node for node in view.focus if node in chosen]

    def _check(
        self, shape: _Shape, view: _View, focus: Term, values: AbstractSet[Term], out: list[Result]
    ) -> None:
        """The results of one focus node, with its value nodes, against one shape's core
        constraints, added to ``out``."""
        if shape.min_count is not None and len(values) < shape.min_count:
            out.append(_result(shape, view, focus, "MinCount"))
        if shape.max_count is not None and len(values) > shape.max_count:
            out.append(_result(shape, view, focus, "MaxCount"))
        if shape.per_value and values:
            for value in sorted(values, key=str) if len(values) > 1 else values:
                for component in _value_problems(shape, view, value):
                    out.append(_result(shape, view, focus, component, value))
        if shape.has_value is not None and shape.has_value not in values:
            out.append(_result(shape, view, focus, "HasValue"))
        if shape.closed is not None and not shape.closed.issuperset(view.data.predicates(focus)):
            for predicate, value in sorted(view.data.predicate_objects(focus), key=str):
                if predicate not in shape.closed:
                    out.append(
                        Result(
                            view.rdflib(focus),
                            shape.node,
                            _component("Closed"),
                            view.rdflib(predicate),
                            view.rdflib(value),
                            None,
                            shape.messages,
                        )
                    )

    def _validate(
        self,
        shape: _Shape,
        view: _View,
        focus: list[Term],
        sparql: list[tuple[_Shape, list[Term]]],
        out: list[Result],
    ) -> None:
        if shape.core:
            check = self._check
            if shape.path is None:
                for node in focus:
                    check(shape, view, node, {node}, out)
            else:
                for node, values in view.each_values(focus, shape.steps):
                    check(shape, view, node, values, out)
        if shape.sparql and focus:
            sparql.append((shape, focus))
        for prop in shape.properties:
            self._validate(prop, view, focus, sparql, out)

    def validate(
        self, data: Index, focus: Iterable[Term], *, queries_only: bool = False
    ) -> list[Result]:
        """The results of validating the ``focus`` nodes of ``data`` (with the ontology beside it).

        As pySHACL with ``focus_nodes``: a shape validates the focus nodes it targets. The
        SPARQL constraints with an evaluation in Python are evaluated so, but with
        ``queries_only`` (the reference the tests hold the evaluations to).
        """
        wanted: list[Term] = [node for node in focus if isinstance(node, OxNamedNode)]
        view = _View(data, self._ontology_index, wanted)
        results: list[Result] = []
        sparql: list[tuple[_Shape, list[Term]]] = []
        for shape in self.shapes:
            chosen = self._focus(shape, view)
            if chosen:
                self._validate(shape, view, chosen, sparql, results)
        if sparql:
            results.extend(self._run_sparql(data, sparql, view, queries_only=queries_only))
        return results

    # --- SPARQL constraints ------------------------------------------------------------------

    def _run_sparql(
        self,
        data: Index,
        work: list[tuple[_Shape, list[Term]]],
        view: _View,
        *,
        queries_only: bool = False,
    ) -> Iterator[Result]:
        """The results of the SPARQL constraints. The data are copied into the store the
        queries read only when a query is to be run (the evaluations in Python may leave
        none)."""
        graph = OxNamedNode(f"urn:cybergov:validation:{uuid.uuid4().hex}")
        loaded: list[OxigraphStore] = []

        def store() -> OxigraphStore:
            if not loaded:
                self._store.extend(Quad(s, p, o, graph) for s, p, o in data.triples)
                loaded.append(self._store)
            return loaded[0]

        dataset: list[OxNamedNode | BlankNode | DefaultGraph] = [DefaultGraph(), graph]
        seen: set[tuple[object, ...]] = set()
        try:
            for shape, focus in work:
                for constraint in shape.sparql:
                    if constraint.evaluation is None or queries_only:
                        solutions = _queried(store, dataset, constraint, focus)
                    else:
                        solutions = _evaluated(store, dataset, constraint, focus, view)
                    for node, solution in solutions:
                        result = _sparql_result(
                            shape, constraint, node, solution, view=view, seen=seen
                        )
                        if result is not None:
                            yield result
        finally:
            if loaded:
                store_used = loaded[0]
                store_used.remove_graph(graph)
                self._removed += len(data)
                if self._removed > len(self._ontology_index) and store_used is self._store:
                    self._store, self._removed = self._ontology_store(), 0


def _sparql_result(
    shape: _Shape,
    constraint: _Sparql,
    node: Term,
    solution: Solution,
    *,
    view: _View,
    seen: set[tuple[object, ...]],
) -> Result | None:
    """The result of one solution of a SPARQL constraint, or ``None`` for one seen already."""
    bound: dict[str, Node] = {name: view.rdflib(value) for name, value in solution.items()}
    bound["this"] = view.rdflib(node)
    key = (constraint.node, *sorted(bound.items(), key=str))
    if key in seen:  # a statement of both the ontology and the data
        return None
    seen.add(key)
    messages = tuple(_formatted(m, bound) for m in (*constraint.messages, *shape.messages))
    return Result(
        bound["this"],
        shape.node,
        _component("SPARQL"),
        bound.get("path", shape.path),
        bound.get("value"),
        constraint.node,
        messages,
    )


def _queried(
    store: Callable[[], OxigraphStore],
    dataset: list[OxNamedNode | BlankNode | DefaultGraph],
    constraint: _Sparql,
    focus: list[Term],
) -> Iterator[tuple[Term, Solution]]:
    """The solutions of ``constraint``'s query for the ``focus`` nodes, each with its node."""
    for node, row, names in _answers(store(), dataset, constraint, focus):
        yield node, {name: value for name in names if (value := row[name]) is not None}


def _evaluated(
    store: Callable[[], OxigraphStore],
    dataset: list[OxNamedNode | BlankNode | DefaultGraph],
    constraint: _Sparql,
    focus: list[Term],
    view: _View,
) -> Iterator[tuple[Term, Solution]]:
    """The solutions of ``constraint`` by its evaluation in Python, and by its query for the
    nodes the evaluation leaves to it; node by node, in the order of ``focus``."""
    assert constraint.evaluation is not None
    found: dict[Term, list[Solution]] = {}
    asked: list[Term] = []
    for node, solutions in zip(focus, constraint.evaluation(view, focus), strict=True):
        if solutions is None:
            asked.append(node)
        elif solutions:
            found[node] = solutions
    if asked:
        for node, solution in _queried(store, dataset, constraint, asked):
            found.setdefault(node, []).append(solution)
    if found:
        for node in focus:
            for solution in found.get(node, ()):
                yield node, solution


def _answers(
    store: OxigraphStore,
    dataset: list[OxNamedNode | BlankNode | DefaultGraph],
    constraint: _Sparql,
    focus: list[Term],
) -> Iterator[tuple[Term, QuerySolution, list[str]]]:
    """The solutions of ``constraint`` for each focus node, with the node they are about."""
    if constraint.batched is not None:
        for start in range(0, len(focus), _PER_QUERY):
            part = focus[start : start + _PER_QUERY]
            text = constraint.batched.replace(_FOCUS, " ".join(str(n) for n in part))
            answer = store.query(text, default_graph=dataset)
            assert isinstance(answer, QuerySolutions)
            names = [v.value for v in answer.variables]
            for row in answer:
                node = row["focusNode"]
                if node is not None:
                    yield node, row, names
        return
    for node in focus:
        written = str(node).replace("\\", "\\\\")  # a replacement string
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


def to_ox(term: Node) -> Term:
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


class ResultGraph:
    """Results read as their SHACL report graph (:func:`report_graph`) reads, without
    making it: each result a blank node, its focus node, shape, component, path, value,
    constraint and messages looked up on the result itself. A complex path is read from the
    shapes graph (the report graph holds a copy of it). The graph itself is made when first
    iterated (for the report's Turtle)."""

    def __init__(self, results: list[Result], shapes: rdflib.Graph) -> None:
        self._results = results
        self._nodes: dict[Node, Result] = {BNode(): result for result in results}
        self._shapes = shapes
        self._graph: rdflib.Graph | None = None

    def _made(self) -> rdflib.Graph:
        if self._graph is None:
            self._graph = report_graph(self._results, self._shapes)
        return self._graph

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        return iter(self._made())

    def subjects(self, predicate: Node, obj: Node, /) -> Iterator[Node]:
        if predicate == RDF.type and obj == SH.ValidationResult:
            return iter(list(self._nodes))
        return self._made().subjects(predicate, obj)

    def objects(self, subject: Node, predicate: Node, /) -> Iterator[Node]:
        result = self._nodes.get(subject)
        if result is None:
            return self._shapes.objects(subject, predicate)
        if predicate == SH.resultMessage:
            return iter(result.messages)
        found = self.value(subject, predicate)
        return iter(() if found is None else (found,))

    def value(self, subject: Node, predicate: Node, /) -> Node | None:
        result = self._nodes.get(subject)
        if result is None:
            return self._shapes.value(subject, predicate)
        read = _RESULT_FIELDS.get(predicate)
        return None if read is None else read(result)


_VALIDATION_RESULT = SH.ValidationResult
_VIOLATION = SH.Violation
#: How a result answers for each property of its node in the report graph.
_RESULT_FIELDS: dict[Node, Callable[[Result], Node | None]] = {
    RDF.type: lambda _: _VALIDATION_RESULT,
    SH.focusNode: lambda result: result.focus,
    SH.sourceShape: lambda result: result.shape,
    SH.sourceConstraintComponent: lambda result: result.component,
    SH.resultSeverity: lambda _: _VIOLATION,
    SH.resultPath: lambda result: result.path,
    SH.value: lambda result: result.value,
    SH.sourceConstraint: lambda result: result.constraint,
    SH.resultMessage: lambda result: result.messages[0] if result.messages else None,
}


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


__all__ = [
    "CompiledShapes",
    "Index",
    "IndexedGraph",
    "Result",
    "ResultGraph",
    "Statement",
    "Term",
    "Unsupported",
    "report_graph",
    "to_ox",
]
