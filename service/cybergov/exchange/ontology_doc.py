"""The documentation of the ontology, read from its named graphs in the store.

Modules, classes with their hierarchy, properties with their domain and
range, each with its label, definition and source, and the concept schemes
with their concepts: what a person needs to write or read the graph.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, Triple
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from cybergov.errors import ResourceNotFound
from cybergov.exchange.labels import Labels
from cybergov.namespaces import CG, ONTOLOGY_GRAPH_PREFIX, shorten
from cybergov.store.base import Store, Term

_ONTOLOGY_GRAPHS = f'FILTER(STRSTARTS(STR(?g), "{ONTOLOGY_GRAPH_PREFIX}"))'

_MODULES = f"""
SELECT ?g ?ontology ?p ?o WHERE {{
  GRAPH ?g {{ ?ontology a <{OWL.Ontology}> ; ?p ?o }}
  {_ONTOLOGY_GRAPHS}
}}
"""

_TERMS = f"""
SELECT DISTINCT ?g ?term ?p ?o WHERE {{
  GRAPH ?g {{
    VALUES ?kind {{ <{OWL.Class}> <{OWL.ObjectProperty}> <{OWL.DatatypeProperty}>
                   <{OWL.AnnotationProperty}> }}
    ?term a ?kind ; ?p ?o .
  }}
  FILTER(isIRI(?term))
  {_ONTOLOGY_GRAPHS}
}}
"""

_SCHEMES = f"""
SELECT ?g ?scheme ?p ?o WHERE {{
  GRAPH ?g {{ ?scheme a <{SKOS.ConceptScheme}> ; ?p ?o }}
}}
"""

_CONCEPTS = f"""
SELECT DISTINCT ?scheme ?concept ?p ?o WHERE {{
  ?scheme a <{SKOS.ConceptScheme}> .
  ?concept <{SKOS.inScheme}> ?scheme .
  VALUES ?p {{ <{RDFS.label}> <{SKOS.definition}> <{SKOS.broader}> <{SKOS.notation}> }}
  ?concept ?p ?o .
}}
"""

_KINDS = {
    str(OWL.Class): "class",
    str(OWL.ObjectProperty): "object property",
    str(OWL.DatatypeProperty): "datatype property",
    str(OWL.AnnotationProperty): "annotation property",
}
_CHARACTERISTICS = {
    str(OWL.FunctionalProperty): "functional",
    str(OWL.InverseFunctionalProperty): "inverse functional",
    str(OWL.TransitiveProperty): "transitive",
    str(OWL.SymmetricProperty): "symmetric",
    str(OWL.AsymmetricProperty): "asymmetric",
    str(OWL.ReflexiveProperty): "reflexive",
    str(OWL.IrreflexiveProperty): "irreflexive",
}


def anchor(iri: str) -> str:
    """The fragment a term is documented under: the local name of a cybergov term
    (``Incident``), the compact IRI of another (``prov:Entity``)."""
    return iri[len(str(CG)) :] if iri.startswith(str(CG)) else shorten(iri)


@dataclass(slots=True)
class OntologyTerm:
    """A class or property the ontology declares."""

    iri: str
    module: str
    kinds: set[str] = field(default_factory=set)
    label: str | None = None
    definition: str | None = None
    comments: list[str] = field(default_factory=list)
    alt_labels: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    ranges: list[str] = field(default_factory=list)
    inverses: list[str] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return anchor(self.iri)

    @property
    def kind(self) -> str:
        for known in _KINDS.values():
            if known in self.kinds:
                return known
        return "term"

    @property
    def is_class(self) -> bool:
        return "class" in self.kinds

    @property
    def is_cybergov(self) -> bool:
        return self.iri.startswith(str(CG))


@dataclass(slots=True)
class ModuleDoc:
    """One module of the ontology, as loaded into its named graph."""

    name: str
    iri: str
    graph: str
    label: str | None = None
    description: str | None = None
    version_iri: str | None = None
    terms: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Concept:
    iri: str
    label: str | None = None
    definition: str | None = None
    notation: str | None = None
    broader: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ConceptScheme:
    iri: str
    graph: str
    label: str | None = None
    definition: str | None = None
    concepts: list[Concept] = field(default_factory=list)

    @property
    def in_ontology(self) -> bool:
        return self.graph.startswith(ONTOLOGY_GRAPH_PREFIX)


@dataclass(frozen=True, slots=True)
class TreeNode:
    iri: str
    children: tuple[TreeNode, ...]


@dataclass(slots=True)
class OntologyDoc:
    """The whole documentation: modules, terms, concept schemes and every label met."""

    modules: list[ModuleDoc]
    terms: dict[str, OntologyTerm]
    schemes: list[ConceptScheme]
    labels: Labels

    def module(self, name: str) -> ModuleDoc:
        """Raises: ResourceNotFound: the ontology has no module of that name."""
        for module in self.modules:
            if module.name == name:
                return module
        names = ", ".join(m.name for m in self.modules)
        raise ResourceNotFound(f"the ontology has no module {name!r}; its modules are {names}")

    def selected(self, module: str | None = None) -> list[OntologyTerm]:
        """The terms of one module (or all), cybergov terms first, by label."""
        chosen = [t for t in self.terms.values() if module is None or t.module == module]
        return sorted(chosen, key=lambda t: (not t.is_cybergov, (t.label or t.iri).lower()))

    def classes(self, module: str | None = None) -> list[OntologyTerm]:
        return [t for t in self.selected(module) if t.is_class]

    def properties(self, module: str | None = None) -> list[OntologyTerm]:
        return [t for t in self.selected(module) if not t.is_class]

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or shorten(iri)

    def hierarchy(self, module: str | None = None) -> list[TreeNode]:
        """The class tree of one module (or all): roots are classes with no parent among them."""
        members = {t.iri for t in self.classes(module)}

        def grow(iri: str, path: frozenset[str]) -> TreeNode:
            below = sorted(
                (c for c in self.terms[iri].children if c in members and c not in path),
                key=self.label,
            )
            return TreeNode(iri, tuple(grow(c, path | {c}) for c in below))

        roots = [i for i in members if not any(p in members for p in self.terms[i].parents)]
        return [grow(r, frozenset({r})) for r in sorted(roots, key=self.label)]


def _rows(store: Store, sparql: str) -> list[dict[str, Term]]:
    return store.select(sparql).as_dicts()


def _text(term: Term) -> str | None:
    return term.value if isinstance(term, Literal) else None


def document_ontology(store: Store) -> OntologyDoc:
    """Read the documentation of the ontology from the store's ontology graphs.

    Raises:
        StoreError: the store failed.
    """
    labels = Labels()
    modules = _modules(store, labels)
    by_graph = {m.graph: m for m in modules}
    terms: dict[str, OntologyTerm] = {}
    for row in _rows(store, _TERMS):
        iri = row["term"].value
        module = by_graph.get(row["g"].value)
        term = terms.setdefault(iri, OntologyTerm(iri, module.name if module else ""))
        _annotate(term, row["p"].value, row["o"], labels)
    for term in terms.values():
        for parent in term.parents:
            if parent in terms and term.iri not in terms[parent].children:
                terms[parent].children.append(term.iri)
    for module in modules:
        module.terms = sorted(t.iri for t in terms.values() if t.module == module.name)
    return OntologyDoc(modules, terms, _schemes(store, labels), labels)


def _modules(store: Store, labels: Labels) -> list[ModuleDoc]:
    found: dict[str, ModuleDoc] = {}
    for row in _rows(store, _MODULES):
        graph = row["g"].value
        name = graph[len(ONTOLOGY_GRAPH_PREFIX) :]
        module = found.setdefault(graph, ModuleDoc(name, row["ontology"].value, graph))
        predicate, value = row["p"].value, row["o"]
        if predicate == str(RDFS.label):
            labels.offer(row["ontology"], value)
            module.label = labels.get(module.iri)
        elif predicate in (str(RDFS.comment), str(DCTERMS.description)) and _text(value):
            module.description = module.description or _text(value)
        elif predicate == str(OWL.versionIRI):
            module.version_iri = value.value
    root = [m for m in found.values() if m.name == "cybergov"]
    rest = sorted((m for m in found.values() if m.name != "cybergov"), key=lambda m: m.name)
    return root + rest


_LINKS = {
    str(RDFS.subClassOf): "parents",
    str(RDFS.subPropertyOf): "parents",
    str(RDFS.domain): "domains",
    str(RDFS.range): "ranges",
    str(OWL.inverseOf): "inverses",
}
_TEXTS = {str(RDFS.comment): "comments", str(SKOS.altLabel): "alt_labels"}


def _annotate(term: OntologyTerm, predicate: str, value: Term, labels: Labels) -> None:
    """Fold one triple about a term into its documentation."""
    text = _text(value)
    named = value.value if isinstance(value, NamedNode) else None
    if predicate == str(RDF.type) and named:
        if named in _KINDS:
            term.kinds.add(_KINDS[named])
        elif named in _CHARACTERISTICS:
            term.characteristics.append(_CHARACTERISTICS[named])
    elif predicate == str(RDFS.label):
        labels.offer(NamedNode(term.iri), value)
        term.label = labels.get(term.iri)
    elif predicate == str(SKOS.definition) and text:
        term.definition = text
    elif predicate in _TEXTS and text:
        getattr(term, _TEXTS[predicate]).append(text)
    elif predicate == str(DCTERMS.source):
        term.sources.append(value.value)
    elif predicate in _LINKS and named:
        getattr(term, _LINKS[predicate]).append(named)


def _schemes(store: Store, labels: Labels) -> list[ConceptScheme]:
    schemes: dict[str, ConceptScheme] = {}
    for row in _rows(store, _SCHEMES):
        iri = row["scheme"].value
        scheme = schemes.setdefault(iri, ConceptScheme(iri, row["g"].value))
        if row["p"].value == str(RDFS.label):
            labels.offer(row["scheme"], row["o"])
            scheme.label = labels.get(iri)
        elif row["p"].value == str(SKOS.definition):
            scheme.definition = _text(row["o"])
    concepts: dict[tuple[str, str], Concept] = {}
    for row in _rows(store, _CONCEPTS):
        scheme_iri, iri = row["scheme"].value, row["concept"].value
        if scheme_iri not in schemes:
            continue
        concept = concepts.get((scheme_iri, iri))
        if concept is None:
            concept = concepts[(scheme_iri, iri)] = Concept(iri)
            schemes[scheme_iri].concepts.append(concept)
        predicate, value = row["p"].value, row["o"]
        if predicate == str(RDFS.label):
            labels.offer(row["concept"], value)
            concept.label = labels.get(iri)
        elif predicate == str(SKOS.definition):
            concept.definition = _text(value)
        elif predicate == str(SKOS.notation):
            concept.notation = value.value
        elif predicate == str(SKOS.broader) and value.value not in concept.broader:
            concept.broader.append(value.value)
    for scheme in schemes.values():
        scheme.concepts.sort(key=lambda c: (c.notation or "", (c.label or c.iri).lower()))
    return sorted(schemes.values(), key=lambda s: (not s.in_ontology, (s.label or s.iri).lower()))


def ontology_graphs(store: Store, module: str | None = None) -> list[str]:
    """The named graphs of the ontology (or of one module).

    Raises:
        ResourceNotFound: ``module`` is not a module of the ontology.
    """
    graphs = [g for g in store.named_graphs() if g.startswith(ONTOLOGY_GRAPH_PREFIX)]
    if module is None:
        return graphs
    chosen = f"{ONTOLOGY_GRAPH_PREFIX}{module}"
    if chosen not in graphs:
        names = ", ".join(g[len(ONTOLOGY_GRAPH_PREFIX) :] for g in graphs)
        raise ResourceNotFound(f"the ontology has no module {module!r}; its modules are {names}")
    return [chosen]


def ontology_triples(store: Store, module: str | None = None) -> Iterator[Triple]:
    """The triples of the ontology (or of one module), each once.

    Raises:
        ResourceNotFound: ``module`` is not a module of the ontology.
    """
    seen: set[Triple] = set()
    for graph in ontology_graphs(store, module):
        for triple in store.graph_triples(graph):
            if triple not in seen:
                seen.add(triple)
                yield triple


__all__ = [
    "ConceptScheme",
    "ModuleDoc",
    "OntologyDoc",
    "OntologyTerm",
    "TreeNode",
    "anchor",
    "document_ontology",
    "ontology_graphs",
    "ontology_triples",
]
