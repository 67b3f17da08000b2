"""Validation of a contribution in context: the contribution, the ontology, and only the
facts of the store that the contribution points at.

Validating a contribution against the whole graph costs as much as the graph;
validating it alone reports every link to a resource it does not carry (a
state, an incident) as a violation. So the data graph handed to pySHACL is the
contribution, plus what the store already says about the resources the
contribution describes, plus a few facts (:data:`CONTEXT_PROPERTIES`) about
every resource it points at without describing: their types (the store holds
the inferred superclass types too), English labels and start dates. Both come
from one query each (a ``VALUES`` list of the IRIs), so the cost follows the
size of the contribution. The focus nodes are the contribution's own subjects:
resources pulled in as context are never validated, only looked at.

A resource the contribution points at and neither the store nor the
contribution knows has no type in the data graph; it is made a focus node too,
so that ``cgsh:KnownResourceShape`` reports it as unknown. (Known resources of
the context are never focus nodes: they would be judged on the few facts
fetched about them.)
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pyshacl
import rdflib
from pyoxigraph import BlankNode, NamedNode, RdfFormat, parse
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query

from cybergov.contribute.compiled_shapes import (
    CompiledShapes,
    Index,
    IndexedGraph,
    ResultGraph,
    Statement,
    Term,
    Unsupported,
    to_ox,
)
from cybergov.contribute.intake import to_rdflib_term
from cybergov.contribute.scope import check_scope
from cybergov.contribute.skolem import Skolem
from cybergov.contribute.validation_report import ValidationReport, build_report
from cybergov.errors import DataError, StoreError
from cybergov.knowledge.ontology import ontology_modules
from cybergov.namespaces import CG, SH, bind_prefixes
from cybergov.rdf_formats import syntax_error
from cybergov.settings import data_folder
from cybergov.store.base import Store

log = logging.getLogger(__name__)

#: What the shapes read about a resource the contribution points at but does not describe:
#: its types (for ``sh:class`` and for telling known from unknown), its English label (for
#: the report), its start date (an attribution, response, listing or claim is not dated
#: before its incident began) and the principle a stance is about (a position's stance).
CONTEXT_PROPERTIES: tuple[str, ...] = (
    str(RDF.type),
    str(RDFS.label),
    str(CG.startDate),
    str(CG.stanceOn),
)

#: The prefix of the IRIs that stand for the contribution's blank nodes while it is validated,
#: so that they can be focus nodes; the report shows them as blank nodes again. Each
#: validation adds a random part, so that no IRI of a contribution can pass for one.
SKOLEM_PREFIX = "urn:cybergov:blank:"

#: IRIs per context query: few queries for a contribution, and answers that stay well under
#: the row limit a remote store may apply.
_BATCH = 250
_TYPE = NamedNode(str(RDF.type))


@lru_cache(maxsize=512)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


class PreparedQueryGraph(rdflib.Graph):
    """An rdflib graph that parses each distinct SPARQL text once.

    pySHACL runs a SPARQL constraint once per focus node, with the same text
    and ``$this`` bound; rdflib would parse that text every time, which costs
    more than answering it.
    """

    def query(  # type: ignore[override]  # noqa: PLR0917 - rdflib's signature
        self,
        query_object: str | Query,
        processor: str = "sparql",
        result: str = "sparql",
        initNs: Mapping[str, Any] | None = None,  # noqa: N803 - rdflib's name
        initBindings: Mapping[str, rdflib.term.Identifier] | None = None,  # noqa: N803
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> rdflib.query.Result:
        if isinstance(query_object, str) and not initNs:
            query_object = _prepared(query_object)
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


@dataclass(frozen=True, slots=True)
class ShapesBundle:
    """The parsed shapes and ontology graphs, and the links (object properties) of the ontology."""

    shapes: rdflib.Graph
    ontology: rdflib.Graph
    links: frozenset[rdflib.URIRef]
    #: The properties the shapes follow backwards (``sh:inversePath``).
    inverse_links: frozenset[rdflib.URIRef]
    #: The classes and properties only the inference rules write (``cg:ruleOnly``).
    rule_only: frozenset[rdflib.URIRef] = frozenset()


def _read_turtle(paths: Iterable[Path], graph: rdflib.Graph) -> rdflib.Graph:
    for path in paths:
        try:
            for triple in parse(path=str(path), format=RdfFormat.TURTLE):
                graph.add(
                    (
                        to_rdflib_term(triple.subject),
                        to_rdflib_term(triple.predicate),
                        to_rdflib_term(triple.object),
                    )
                )
        except SyntaxError as error:
            raise syntax_error(error, str(path)) from error
        except OSError as error:
            raise DataError(f"{path}: cannot be read: {error}") from error
    return graph


def _spell_out_disjointness(ontology: rdflib.Graph) -> None:
    """Add, for every two disjoint classes, ``owl:disjointWith`` between all their subclasses.

    The ontology states disjointness once, between general classes (states and
    organisations) or in ``owl:AllDisjointClasses`` lists; the disjointness shape
    then needs one lookup per pair of types instead of a walk up both hierarchies.
    The added triples are entailed by the ontology.
    """
    pairs: set[tuple[rdflib.term.Node, rdflib.term.Node]] = set(
        ontology.subject_objects(OWL.disjointWith)
    )
    for axiom in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        head = ontology.value(axiom, OWL.members)
        if head is None:
            continue
        members = list(Collection(ontology, head))
        pairs |= {(a, b) for a in members for b in members if a != b}
    for first, second in pairs:
        for narrower in ontology.transitive_subjects(RDFS.subClassOf, first):
            for other in ontology.transitive_subjects(RDFS.subClassOf, second):
                if narrower is not None and other is not None:
                    ontology.add((narrower, OWL.disjointWith, other))
                    ontology.add((other, OWL.disjointWith, narrower))


def shapes_bundle(root: Path | None = None) -> ShapesBundle:
    """The shapes of ``shapes/*.ttl`` and the ontology, parsed once per process (for each
    ``root``: ``shapes_bundle()`` and ``shapes_bundle(None)`` are the same bundle).

    Raises:
        DataNotFound: the data folders are missing.
        RdfSyntaxError: a shapes or ontology file does not parse.
        OntologyImportError: the ontology's imports cannot be resolved offline.
    """
    return _read_bundle(root)


@cache
def _read_bundle(root: Path | None) -> ShapesBundle:
    shapes = rdflib.Graph(bind_namespaces="none")
    bind_prefixes(shapes.namespace_manager)
    _read_turtle(sorted(data_folder("shapes", root).glob("*.ttl")), shapes)
    ontology = rdflib.Graph(bind_namespaces="none")
    bind_prefixes(ontology.namespace_manager)
    _read_turtle(
        (module.path for module in ontology_modules(data_folder("ontology", root))), ontology
    )
    _spell_out_disjointness(ontology)
    log.info("shapes: %d triples, ontology: %d triples", len(shapes), len(ontology))
    links = frozenset(
        p for p in ontology.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, rdflib.URIRef)
    )
    inverse = frozenset(
        p for p in shapes.objects(None, SH.inversePath) if isinstance(p, rdflib.URIRef)
    )
    rule_only = frozenset(
        term for term in ontology.subjects(CG.ruleOnly, None) if isinstance(term, rdflib.URIRef)
    )
    return ShapesBundle(shapes, ontology, links, inverse, rule_only)


_COMPILED: dict[int, tuple[ShapesBundle, CompiledShapes | None]] = {}


def compiled_shapes(bundle: ShapesBundle) -> CompiledShapes | None:
    """The shapes of ``bundle`` read once into checks (``None`` if they use SHACL that
    :mod:`cybergov.contribute.compiled_shapes` does not read: pySHACL then validates)."""
    kept = _COMPILED.get(id(bundle))
    if kept is not None and kept[0] is bundle:
        return kept[1]
    try:
        compiled: CompiledShapes | None = CompiledShapes(bundle.shapes, bundle.ontology)
    except Unsupported as error:
        log.warning("the shapes are validated by pySHACL alone: %s", error)
        compiled = None
    _COMPILED[id(bundle)] = (bundle, compiled)
    return compiled


def validate_shapes_graph(bundle: ShapesBundle | None = None) -> tuple[bool, str]:
    """Whether the shapes are valid SHACL, by pySHACL's meta-shapes (SHACL for SHACL),
    with pySHACL's text report."""
    shapes = (bundle or shapes_bundle()).shapes
    conforms, _, text = pyshacl.validate(
        rdflib.Graph(), shacl_graph=shapes, meta_shacl=True, inference="none"
    )
    return bool(conforms), str(text)


def _skolemised(statements: Iterable[Statement], skolem: Skolem) -> Iterator[Statement]:
    """The statements with each blank node replaced by the IRI that stands for it."""
    for statement in statements:
        subject, predicate, value = statement
        if isinstance(subject, BlankNode) or isinstance(value, BlankNode):
            named = (
                NamedNode(skolem.iri(subject.value)) if isinstance(subject, BlankNode) else subject
            )
            yield named, predicate, _named(value, skolem)
        else:
            yield statement


def _named(term: Term, skolem: Skolem) -> Term:
    return NamedNode(skolem.iri(term.value)) if isinstance(term, BlankNode) else term


def _iri_values(iris: Iterable[NamedNode]) -> Iterator[str]:
    """``VALUES`` lists of IRIs, in batches."""
    batch: list[str] = []
    for iri in iris:
        batch.append(str(iri))
        if len(batch) == _BATCH:
            yield " ".join(batch)
            batch = []
    if batch:
        yield " ".join(batch)


def _fetch(store: Store, query: str, iris: Iterable[NamedNode]) -> Iterator[Statement]:
    for values in _iri_values(sorted(iris, key=lambda iri: iri.value)):
        answer = store.select(query.replace("{VALUES}", values))
        if answer.truncated:
            raise StoreError(
                "the store cut the answer to a context query; raise its row limit "
                "(CYBERGOV_MAX_ROWS) or validate a smaller contribution"
            )
        for row in answer.rows:
            s, p, o = row
            if s is None or p is None or o is None:
                continue
            yield s, p, o  # type: ignore[misc]


def _descriptions_query(bundle: ShapesBundle) -> str:
    """What the store says about the resources a contribution describes, but for what
    only the rules write (derived types and shortcuts): the contribution is judged on the
    recorded facts, and the rules that refuse rule-only terms see only the contributor's."""
    if not bundle.rule_only:
        return "SELECT ?s ?p ?o WHERE { VALUES ?s { {VALUES} } ?s ?p ?o }"
    terms = ", ".join(f"<{term}>" for term in sorted(bundle.rule_only))
    return (
        "SELECT ?s ?p ?o WHERE { VALUES ?s { {VALUES} } ?s ?p ?o . "
        f"FILTER(?p NOT IN ({terms}) && (?p != <{RDF.type}> || ?o NOT IN ({terms}))) }}"
    )


_INCOMING = "SELECT ?s ?p ?o WHERE { VALUES ?o { {VALUES} } ?s ?p ?o . FILTER(?p IN ({LINKS})) }"
# One VALUES list only: pyoxigraph 0.5 joins two VALUES lists as a cross product first,
# which made this query 35 times slower than with the FILTER below.
_CONTEXT = (
    "SELECT ?s ?p ?o WHERE { VALUES ?s { {VALUES} } ?s ?p ?o . FILTER(?p IN ("
    + ", ".join(f"<{p}>" for p in CONTEXT_PROPERTIES)
    + f')) FILTER(?p != <{RDFS.label}> || LANGMATCHES(LANG(?o), "en")) }}'
)


@dataclass(frozen=True, slots=True)
class DataStatements:
    """The statements the shapes validate (pyoxigraph terms, indexed), the focus nodes, and
    how much context went into them."""

    index: Index
    focus: list[NamedNode]
    described: int
    context: int
    skolem: Skolem


@dataclass(frozen=True, slots=True)
class DataGraph:
    """The data statements as an rdflib graph (what pySHACL validates), the focus nodes."""

    graph: rdflib.Graph
    focus: list[rdflib.URIRef]
    described: int
    context: int
    skolem: Skolem


def _links(bundle: ShapesBundle) -> frozenset[str]:
    return frozenset(str(p) for p in bundle.links)


def data_statements(
    statements: Iterable[Statement], store: Store, bundle: ShapesBundle
) -> DataStatements:
    """The contribution's statements joined with their context from the store (see the
    module's docstring).

    For the resources it describes that the store knows, their statements in the store and
    the links to them that the shapes follow backwards (a group's ``cg:hasAlias``). The
    resources it points at are the objects of its links, the object properties of the
    ontology (``dct:source`` or ``owl:sameAs`` point outside the graph and are not looked up).

    Raises:
        StoreError: the store failed to answer.
    """
    skolem = Skolem(f"{SKOLEM_PREFIX}{uuid.uuid4().hex}:")
    prefix = skolem.prefix
    index = Index(_skolemised(statements, skolem))
    subjects = {s for s in index.out if isinstance(s, NamedNode)}
    own = {s for s in subjects if not s.value.startswith(prefix)}
    before = len(index)
    index.extend(_fetch(store, _descriptions_query(bundle), own))
    pointing: set[NamedNode] = set()
    if bundle.inverse_links:
        links = ", ".join(f"<{p}>" for p in sorted(bundle.inverse_links))
        for statement in _fetch(store, _INCOMING.replace("{LINKS}", links), own):
            index.add(statement)
            if isinstance(statement[0], NamedNode):
                pointing.add(statement[0])
    described = len(index) - before
    followed = _links(bundle)
    referenced = {
        o
        for p, (_, ends) in index.by_predicate.items()
        if p.value in followed
        for o in ends
        if isinstance(o, NamedNode) and o not in subjects
    } | (pointing - own)
    before = len(index)
    index.extend(_fetch(store, _CONTEXT, referenced))
    unknown = {node for node in referenced if not index.objects(node, _TYPE)}
    focus = sorted(subjects | unknown, key=lambda node: node.value)
    return DataStatements(index, focus, described, len(index) - before, skolem)


def _ox_statements(contribution: rdflib.Graph) -> list[Statement]:
    """The statements of an rdflib graph in pyoxigraph terms, in the graph's order."""
    terms: dict[rdflib.term.Node, Term] = {}

    def term(value: rdflib.term.Node) -> Term:
        found = terms.get(value)
        if found is None:
            found = terms[value] = to_ox(value)
        return found

    return [(term(s), term(p), term(o)) for s, p, o in contribution]  # type: ignore[misc]


def data_graph(contribution: rdflib.Graph, store: Store, bundle: ShapesBundle) -> DataGraph:
    """:func:`data_statements` of an rdflib graph, as an rdflib graph.

    Raises:
        StoreError: the store failed to answer.
    """
    data = data_statements(_ox_statements(contribution), store, bundle)
    return DataGraph(
        IndexedGraph(data.index).to_rdflib(PreparedQueryGraph(bind_namespaces="none")),
        [rdflib.URIRef(node.value) for node in data.focus],
        data.described,
        data.context,
        data.skolem,
    )


def validate_contribution(
    contribution: rdflib.Graph,
    store: Store,
    *,
    source: str,
    bundle: ShapesBundle | None = None,
    reference: bool = False,
) -> ValidationReport:
    """Validate a parsed contribution against the shapes, in the context of the store.

    ``source`` names the contribution in the report. The shapes compiled once
    (:mod:`cybergov.contribute.compiled_shapes`) validate it; with ``reference``,
    pySHACL does, as the reference they are held to.

    Raises:
        OutsideNamespace: it describes a resource outside the graph's namespace, or links to
            an IRI no resource can have (:mod:`cybergov.contribute.scope`).
        TypeError: ``contribution`` is not an rdflib graph (a string would be read by pySHACL
            as a path or a URL).
        StoreError: the store failed to answer the context queries.
        DataError: the shapes or the ontology cannot be read.
    """
    if not isinstance(contribution, rdflib.Graph):
        # pySHACL would load a string as a path or a URL: only parsed graphs go to it.
        raise TypeError(
            "validate_contribution takes a parsed rdflib graph (see cybergov.contribute.intake)"
        )
    return validate_statements(
        _ox_statements(contribution), store, source=source, bundle=bundle, reference=reference
    )


def validate_statements(
    statements: Sequence[Statement],
    store: Store,
    *,
    source: str,
    bundle: ShapesBundle | None = None,
    reference: bool = False,
) -> ValidationReport:
    """Validate statements (pyoxigraph terms, each a tuple) against the shapes, in the
    context of the store: :func:`validate_contribution` without an rdflib graph (an
    import's records).

    Raises:
        as :func:`validate_contribution`.
    """
    bundle = bundle or shapes_bundle()
    check_scope(statements, _links(bundle), source=source)
    started = time.perf_counter()
    data = data_statements(statements, store, bundle)
    fetched = time.perf_counter()
    compiled = None if reference else compiled_shapes(bundle)
    if compiled is not None:
        found = compiled.validate(data.index, data.focus)
        conforms, results = not found, ResultGraph(found, bundle.shapes)
    else:
        conforms, results, _ = pyshacl.validate(
            IndexedGraph(data.index).to_rdflib(PreparedQueryGraph(bind_namespaces="none")),
            shacl_graph=bundle.shapes,
            ont_graph=bundle.ontology,
            inference="none",
            inplace=True,
            focus_nodes=[rdflib.URIRef(node.value) for node in data.focus],
            advanced=False,
        )
    finished = time.perf_counter()
    log.info(
        "%s: %d statements, %d described and %d context statements from the store "
        "(%.1f ms), validated in %.1f ms",
        source,
        len(statements),
        data.described,
        data.context,
        (fetched - started) * 1000,
        (finished - fetched) * 1000,
    )
    return build_report(
        source=source,
        conforms=bool(conforms),
        results=results,
        data=IndexedGraph(data.index),
        bundle_shapes=bundle.shapes,
        ontology=bundle.ontology,
        statements=len(statements),
        seconds=finished - started,
        skolem=data.skolem,
    )
