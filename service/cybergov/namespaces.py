"""The namespaces of cybergov and the vocabularies it reuses, in one place, and how an
IRI is shown to people.

Resource IRIs are ``https://w3id.org/cybergov/id/<family>/<local>``; each family
is also a Turtle prefix of the same name, so that ``state:RU`` reads as it is
written in the curated files. :func:`shorten` is the one way an IRI is shown
(tables, pages, validation reports): as such a prefixed name when one fits. The
prefixes an RDF document declares are those it would shorten its IRIs with
(:func:`prefixes_for`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import repeat

from pyoxigraph import BlankNode, Literal, NamedNode
from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, NamespaceManager

BASE = "https://w3id.org/cybergov/"
CG = Namespace(f"{BASE}ontology#")
CGR = Namespace(f"{BASE}id/")
CGSH = Namespace(f"{BASE}shapes#")
GRAPH = Namespace(f"{BASE}graph/")
ONTOLOGY_IRI = f"{BASE}ontology"
#: The cybergov maintainers, the publisher of the graph and of its exports.
MAINTAINERS = f"{BASE}void#maintainers"
ORG = Namespace("http://www.w3.org/ns/org#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SH = Namespace("http://www.w3.org/ns/shacl#")
WIKIDATA = Namespace("http://www.wikidata.org/entity/")
TIME = Namespace("http://www.w3.org/2006/time#")
D3FEND = Namespace("http://d3fend.mitre.org/ontologies/d3fend.owl#")
UCO = "https://ontology.unifiedcyberontology.org/uco/"

#: The families of resource IRIs, each also a Turtle prefix (see kg/README.md).
RESOURCE_FAMILIES: tuple[str, ...] = (
    "act",
    "alias",
    "attribution",
    "attribution-basis",
    "attribution-status",
    "claim",
    "company",
    "confidence",
    "coordination",
    "cso",
    "dialogue",
    "document",
    "group",
    "incident",
    "incident-type",
    "instrument",
    "link",
    "listing",
    "malware",
    "measure",
    "membership",
    "modality",
    "norm",
    "organ",
    "organisation",
    "participation",
    "person",
    "position",
    "precision",
    "principle",
    "response",
    "role",
    "rule",
    "scheme",
    "sector",
    "stance",
    "state",
    "strand",
    "theme",
    "toolbox-measure",
)

#: Vocabulary prefixes used in every file, query and serialisation.
VOCABULARY_PREFIXES: dict[str, str] = {
    "cg": str(CG),
    "cgsh": str(CGSH),
    "dct": str(DCTERMS),
    "org": str(ORG),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "sh": str(SH),
    "skos": str(SKOS),
    "xsd": str(XSD),
    "void": str(VOID),
    "dcat": str(DCAT),
    "wd": str(WIKIDATA),
    "time": str(TIME),
    "d3f": str(D3FEND),
    "uco-action": f"{UCO}action/",
    "uco-core": f"{UCO}core/",
    "uco-identity": f"{UCO}identity/",
    "uco-location": f"{UCO}location/",
    "uco-tool": f"{UCO}tool/",
}

PREFIXES: dict[str, str] = {
    **VOCABULARY_PREFIXES,
    **{family: f"{CGR}{family}/" for family in RESOURCE_FAMILIES},
}


def graph_iri(kind: str, name: str) -> str:
    """The IRI of a named graph of the store, such as ``graph/kg/incidents-russia``."""
    return f"{GRAPH}{kind}/{name}"


META_GRAPH = f"{GRAPH}meta"
INFERRED_GRAPH_PREFIX = f"{GRAPH}inferred/"
KG_GRAPH_PREFIX = f"{GRAPH}kg/"
ONTOLOGY_GRAPH_PREFIX = f"{GRAPH}ontology/"
CONTRIBUTION_GRAPH_PREFIX = f"{GRAPH}contribution/"


def bind_prefixes(manager: NamespaceManager) -> None:
    """Bind every cybergov prefix on an rdflib namespace manager."""
    for prefix, iri in PREFIXES.items():
        manager.bind(prefix, iri, override=True, replace=True)


_LONGEST_NAMESPACE_FIRST = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
#: A local name that reads back as written after a prefix, in Turtle as in SPARQL.
_LOCAL_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")
#: The characters of a local name.
_NAME_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"


def _by_head() -> dict[str, list[tuple[str, str]]]:
    """The namespaces (longest first) by what is left of them without the local-name
    characters they end with: an IRI's prefix can only be one of those of its own head,
    as the rest of it must be a local name."""
    heads: dict[str, list[tuple[str, str]]] = {}
    for prefix, namespace in _LONGEST_NAMESPACE_FIRST:
        heads.setdefault(namespace.rstrip(_NAME_CHARACTERS), []).append((prefix, namespace))
    return heads


_NAMESPACES_BY_HEAD = _by_head()


@lru_cache(maxsize=65536)
def shorten(iri: str) -> str:
    """An IRI as a person reads it: ``prefix:local`` with the most specific cybergov prefix
    whose namespace it starts with, when the rest is a plain local name (``state:FR``,
    ``cg:Incident``, ``act:32019D0797``); else the IRI itself."""
    for prefix, namespace in _NAMESPACES_BY_HEAD.get(iri.rstrip(_NAME_CHARACTERS), ()):
        if iri.startswith(namespace) and _LOCAL_NAME.fullmatch(iri[len(namespace) :]):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def shortened(iris: Sequence[str]) -> list[str]:
    """What :func:`shorten` gives for each of ``iris``, made for the IRIs of one head at a
    time: faster for many IRIs (the records of a kind share theirs), and not kept."""
    shown = list(iris)
    by_head: dict[str, list[int]] = defaultdict(list)
    for index, head in enumerate(map(str.rstrip, iris, repeat(_NAME_CHARACTERS))):
        by_head[head].append(index)
    fits = _LOCAL_NAME.fullmatch
    for head, of_head in by_head.items():
        left = of_head
        for prefix, namespace in _NAMESPACES_BY_HEAD.get(head, ()):
            size, named, kept = len(namespace), f"{prefix}:", []
            for index in left:
                iri = iris[index]
                if iri.startswith(namespace) and fits(iri[size:]):
                    shown[index] = named + iri[size:]
                else:
                    kept.append(index)
            left = kept
    return shown


_DATE_TIME = f"{XSD}dateTime"
_MIDNIGHT = re.compile(r"(-?\d{4,}-\d{2}-\d{2})T00:00:00(?:\.0+)?(?:Z|[+-]00:00)?")


def readable(term: NamedNode | BlankNode | Literal | None) -> str:
    """A term as a person reads it in a table: an IRI shortened (:func:`shorten`), a
    literal's text (a calendar date written as a midnight ``xsd:dateTime`` as the date),
    a blank node as ``_:id``, nothing as the empty string."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return shorten(term.value)
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if term.datatype.value == _DATE_TIME:
        midnight = _MIDNIGHT.fullmatch(term.value)
        if midnight:
            return midnight.group(1)
    return term.value


def prefixes_for(iris: Iterable[str]) -> dict[str, str]:
    """The cybergov prefixes that :func:`shorten` uses for ``iris``: those a document
    holding them declares."""
    used: set[str] = set()
    for iri in iris:
        short = shorten(iri)
        if short != iri:
            used.add(short.partition(":")[0])
    return {prefix: namespace for prefix, namespace in PREFIXES.items() if prefix in used}
