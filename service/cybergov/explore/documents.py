"""What the search index knows of a resource: its label, other names, identifiers,
description, classes and kind, read from the store graph by graph.

A resource's document is made from the statements of a few properties (labels,
alternative labels, the names of a group's aliases, descriptions, identifiers, types
and concept schemes) wherever they are stated, asserted or derived. Each named graph's
share of those statements is summed up in a digest per resource, so that after a write
only the resources whose statements changed are read again.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from cybergov.exchange.labels import label_rank
from cybergov.namespaces import CG, GRAPH, META_GRAPH, WIKIDATA
from cybergov.store.base import Store, Term

LABELS = (str(RDFS.label), str(SKOS.prefLabel), str(DCTERMS.title))
OTHER_NAMES = (str(SKOS.altLabel), str(SKOS.hiddenLabel))
DESCRIPTIONS = (str(DCTERMS.description), str(SKOS.definition), str(RDFS.comment))
IDENTIFIERS = (
    str(CG.celexNumber),
    str(CG.mitreAttackId),
    str(CG.documentNumber),
    str(CG.iso3166Alpha2),
    str(CG.iso3166Alpha3),
    str(SKOS.notation),
    str(DCTERMS.identifier),
    str(OWL.sameAs),
)
TYPE = str(RDF.type)
IN_SCHEME = str(SKOS.inScheme)
HAS_ALIAS = str(CG.hasAlias)
ALIAS_NAME = str(CG.aliasName)
ALIAS_CLASS = str(CG.GroupAlias)
PREDICATES = (
    *LABELS,
    *OTHER_NAMES,
    *DESCRIPTIONS,
    *IDENTIFIERS,
    TYPE,
    IN_SCHEME,
    HAS_ALIAS,
    ALIAS_NAME,
)

#: The kinds a search is faceted by, the first whose class a resource has; with how much
#: a hit of that kind weighs against the others (the things researchers look for first).
KINDS: tuple[tuple[str, str, tuple[str, ...], float], ...] = (
    ("incident", "incidents", (str(CG.Incident), str(CG.Campaign)), 1.6),
    ("group", "threat-actor groups", (str(CG.ThreatActorGroup),), 1.6),
    ("listing", "listings", (str(CG.Listing),), 1.0),
    ("norm", "norms", (str(CG.Norm),), 1.3),
    ("attribution", "attributions", (str(CG.Attribution),), 1.0),
    ("response", "responses", (str(CG.Response),), 1.1),
    ("claim", "claims", (str(CG.NormViolationClaim),), 1.0),
    ("position", "positions", (str(CG.Position),), 1.0),
    ("instrument", "instruments", (str(CG.Instrument),), 1.4),
    ("actor", "actors", (str(CG.Actor),), 1.5),
    ("malware", "malware", (str(CG.Malware),), 1.3),
    ("concept", "concepts", (str(SKOS.Concept), str(SKOS.ConceptScheme)), 1.2),
    (
        "term",
        "ontology terms",
        (
            str(OWL.Class),
            str(OWL.ObjectProperty),
            str(OWL.DatatypeProperty),
            str(OWL.AnnotationProperty),
            str(RDF.Property),
        ),
        1.0,
    ),
)
OTHER_KIND = ("other", "other resources", (), 0.9)
KIND_NAMES = {kind: plural for kind, plural, _, _ in (*KINDS, OTHER_KIND)}

_SELECT = """
SELECT ?g ?s ?p ?o WHERE {{
  {values}
  VALUES ?p {{ {predicates} }}
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(isIRI(?s))
}}
"""
_ALIAS_NAMES = f"""
SELECT ?s ?o WHERE {{
  VALUES_BLOCK
  ?s <{HAS_ALIAS}> ?alias .
  ?alias <{ALIAS_NAME}> ?o .
}}
"""
_PREDICATE_TERMS = " ".join(f"<{p}>" for p in PREDICATES)
#: What each property read gives a document; the first four are texts.
_TEXTS = ("label", "name", "description", "alias-name")
_ROLES = {
    **dict.fromkeys(LABELS, "label"),
    **dict.fromkeys(OTHER_NAMES, "name"),
    **dict.fromkeys(DESCRIPTIONS, "description"),
    **dict.fromkeys(IDENTIFIERS, "identifier"),
    TYPE: "class",
    IN_SCHEME: "class",
    HAS_ALIAS: "alias",
    ALIAS_NAME: "alias-name",
}


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of a property the index reads, with its graph."""

    graph: str
    subject: str
    predicate: str
    object: Term


@dataclass(slots=True)
class Document:
    """What the index holds of one resource."""

    iri: str
    label: str
    kind: str
    names: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)
    classes: set[str] = field(default_factory=set)
    boost: float = 1.0

    @property
    def description(self) -> str:
        return self.descriptions[0] if self.descriptions else ""


def normalise(text: str) -> str:
    """Text as the index compares it: without accents, in lower case, spaces collapsed."""
    if text.isascii():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def statements(store: Store, subjects: Iterable[str] | None = None) -> Iterator[Statement]:
    """The statements the index reads, of ``subjects`` (every resource when ``None``).

    Raises:
        StoreError: the store failed.
    """
    if subjects is None:
        yield from _statements(store, "")
        return
    wanted = sorted(set(subjects))
    for start in range(0, len(wanted), 400):
        block = " ".join(NamedNode(s).__str__() for s in wanted[start : start + 400])
        yield from _statements(store, f"VALUES ?s {{ {block} }}")


def graph_statements(store: Store, graph: str) -> Iterator[Statement]:
    """The statements the index reads that one named graph holds.

    Raises:
        StoreError: the store failed.
    """
    yield from _statements(store, f"VALUES ?g {{ {NamedNode(graph)} }}")


def _statements(store: Store, values: str) -> Iterator[Statement]:
    sparql = _SELECT.format(values=values, predicates=_PREDICATE_TERMS)
    for g, s, p, o in store.select(sparql).rows:
        named = isinstance(g, NamedNode) and isinstance(s, NamedNode)
        if named and isinstance(p, NamedNode) and o is not None:
            assert isinstance(g, NamedNode) and isinstance(s, NamedNode)
            yield Statement(g.value, s.value, p.value, o)


def alias_names(store: Store, owners: Iterable[str]) -> dict[str, list[str]]:
    """The names of the aliases of ``owners`` (threat-actor groups), wherever stated.

    Raises:
        StoreError: the store failed.
    """
    found: dict[str, list[str]] = defaultdict(list)
    wanted = sorted(set(owners))
    for start in range(0, len(wanted), 400):
        block = " ".join(str(NamedNode(s)) for s in wanted[start : start + 400])
        sparql = _ALIAS_NAMES.replace("VALUES_BLOCK", f"VALUES ?s {{ {block} }}")
        for s, o in store.select(sparql).rows:
            if isinstance(s, NamedNode) and isinstance(o, Literal):
                found[s.value].append(o.value)
    return found


def digests(found: Iterable[Statement]) -> dict[tuple[str, str], str]:
    """A digest of each resource's statements in each graph: ``(graph, subject)`` to hex."""
    parts: dict[tuple[str, str], list[str]] = defaultdict(list)
    for statement in found:
        parts[(statement.graph, statement.subject)].append(
            f"{statement.predicate} {statement.object}"
        )
    return {
        key: hashlib.blake2b("\n".join(sorted(lines)).encode(), digest_size=12).hexdigest()
        for key, lines in parts.items()
    }


def documents(
    found: Iterable[Statement], aliases: Mapping[str, list[str]] | None = None
) -> tuple[dict[str, Document], dict[str, set[str]]]:
    """The documents of the resources ``found`` speaks of, and the aliases of each owner.

    Alias names come from the alias statements among ``found`` and from ``aliases``
    (names read apart for owners whose aliases were not read). A resource gets a document
    when it has a label outside the metadata graph and is neither a graph nor an alias.
    """
    literals: dict[str, dict[str, list[Literal]]] = {role: defaultdict(list) for role in _TEXTS}
    identifiers: dict[str, list[str]] = defaultdict(list)
    classes: dict[str, set[str]] = defaultdict(set)
    owned: dict[str, set[str]] = defaultdict(set)
    for st in found:
        value = st.object
        role = _ROLES.get(st.predicate)
        if st.graph == META_GRAPH or role is None:
            continue
        if role in _TEXTS and isinstance(value, Literal):
            literals[role][st.subject].append(value)
        elif role == "identifier" and _identifier(value):
            identifiers[st.subject].append(_identifier(value))
        elif role == "class" and isinstance(value, NamedNode):
            classes[st.subject].add(value.value)
        elif role == "alias" and isinstance(value, NamedNode):
            owned[st.subject].add(value.value)
    labels, names = literals["label"], literals["name"]
    descriptions, alias_name = literals["description"], literals["alias-name"]
    made: dict[str, Document] = {}
    for iri, given in labels.items():
        if iri.startswith(str(GRAPH)) or ALIAS_CLASS in classes[iri]:
            continue
        ranked = sorted(given, key=lambda label: (label_rank(label), label.value))
        kind, boost = kind_of(classes[iri], iri)
        other = [label.value for label in ranked[1:]] + [name.value for name in names[iri]]
        for alias in sorted(owned[iri]):
            other += [name.value for name in alias_name.get(alias, [])]
        other += (aliases or {}).get(iri, [])
        described = sorted(descriptions[iri], key=lambda d: (label_rank(d), len(d.value)))
        made[iri] = Document(
            iri=iri,
            label=ranked[0].value,
            kind=kind,
            names=_distinct(other, ranked[0].value),
            identifiers=_distinct([*identifiers[iri], local_name(iri)], ""),
            descriptions=[d.value for d in described],
            classes=classes[iri],
            boost=boost,
        )
    return made, owned


def kind_of(classes: set[str], iri: str) -> tuple[str, float]:
    """The kind of a resource with these classes, and its weight in the ranking."""
    for kind, _, members, boost in KINDS:
        if classes.intersection(members):
            return kind, boost
    if iri.startswith(str(CG)):
        return "term", 1.0
    return OTHER_KIND[0], OTHER_KIND[3]


def local_name(iri: str) -> str:
    """The last segment of an IRI (``notpetya-2017``), which people also type."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _identifier(value: Term) -> str:
    if isinstance(value, Literal):
        return value.value
    if isinstance(value, NamedNode) and value.value.startswith(str(WIKIDATA)):
        return value.value[len(str(WIKIDATA)) :]
    return ""


def _distinct(texts: Iterable[str], besides: str) -> list[str]:
    seen = {normalise(besides)}
    kept = []
    for text in texts:
        key = normalise(text)
        if key and key not in seen:
            seen.add(key)
            kept.append(text)
    return kept
