"""The incident browser: every incident with what researchers filter by (year, target
country, sector, type, the states it is attributed to and who attributed it, the kinds
of response it drew, whether the EU responded), filtered, counted facet by facet and
sorted.

The graph is read in one query (:func:`read_incidents`); filtering, counting and sorting
run over those records. A facet's counts are those of the incidents that pass every
other facet's filter, so that choosing a second value of the same facet widens the list
(values of one facet are alternatives, facets are combined).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from cybergov.exchange.labels import Labels
from cybergov.namespaces import CGR, PREFIXES, readable, shorten
from cybergov.store.base import Store, Term

EU = f"{CGR}organisation/eu"
#: The facets, in the order a page shows them, with their names for people.
FACETS: tuple[tuple[str, str], ...] = (
    ("year", "Year of start"),
    ("target", "Target country"),
    ("sector", "Sector"),
    ("type", "Type"),
    ("attributed", "Attributed to (state)"),
    ("attributor", "Attributed by"),
    ("response", "Kind of response"),
    ("eu", "EU response"),
)
SORTS = ("start", "label", "attributions", "responses")
EU_VALUES = {"yes": "the EU responded", "no": "no EU response"}

_INCIDENTS = f"""
PREFIX cg: <https://w3id.org/cybergov/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?incident ?facet ?value ?label WHERE {{
  ?incident a cg:Incident .
  {{ ?incident rdfs:label ?label . BIND("label" AS ?facet) }}
  UNION {{ ?incident cg:startDate ?value . BIND("start" AS ?facet) }}
  UNION {{ ?incident cg:endDate ?value . BIND("end" AS ?facet) }}
  UNION {{ ?incident cg:targetCountry ?value . BIND("target" AS ?facet)
           OPTIONAL {{ ?value rdfs:label ?label }} }}
  UNION {{ ?incident cg:targetSector ?value . BIND("sector" AS ?facet)
           OPTIONAL {{ ?value rdfs:label ?label }} }}
  UNION {{ ?incident cg:incidentType ?value . BIND("type" AS ?facet)
           OPTIONAL {{ ?value rdfs:label ?label }} }}
  UNION {{ ?attribution cg:attributedIncident ?incident ; cg:attributedTo ?value .
           ?value a cg:State .
           FILTER NOT EXISTS {{ ?attribution cg:attributionStatus
                               <{CGR}attribution-status/retracted> }}
           BIND("attributed" AS ?facet) OPTIONAL {{ ?value rdfs:label ?label }} }}
  UNION {{ ?attribution cg:attributedIncident ?incident ; cg:attributedBy ?value .
           FILTER NOT EXISTS {{ ?attribution a cg:DerivedAttribution }}
           BIND(?attribution AS ?label) BIND("attributor" AS ?facet) }}
  UNION {{ ?response cg:respondsTo ?incident ; a ?value .
           ?value rdfs:subClassOf+ cg:Response .
           FILTER NOT EXISTS {{ ?response a ?narrower . ?narrower rdfs:subClassOf ?value }}
           BIND(?response AS ?label) BIND("response" AS ?facet) }}
  UNION {{ ?response cg:respondsTo ?incident ;
             cg:respondent/org:transitiveSubOrganizationOf* <{EU}> .
           BIND("eu" AS ?facet) BIND("yes" AS ?value) }}
}}
"""
_LABELS = """
SELECT ?s ?label WHERE {{ VALUES ?s {{ {values} }} ?s
  <http://www.w3.org/2000/01/rdf-schema#label> ?label }}
"""


@dataclass(slots=True)
class Incident:
    """One incident with the values of each facet."""

    iri: str
    label: str = ""
    start: str = ""
    end: str = ""
    values: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    attributions: set[str] = field(default_factory=set)
    responses: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Incidents:
    """Every incident of the graph, and the names of the facets' values."""

    records: tuple[Incident, ...]
    names: dict[str, str]

    def name(self, value: str) -> str:
        return self.names.get(value) or EU_VALUES.get(value) or shorten(value)


@dataclass(frozen=True, slots=True)
class Browse:
    """A filtered, sorted list of incidents, and the counts of each facet's values."""

    rows: tuple[Incident, ...]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    chosen: dict[str, tuple[str, ...]]


def read_incidents(store: Store) -> Incidents:
    """Every incident with its facets.

    Raises:
        StoreError: the store failed.
    """
    records: dict[str, Incident] = {}
    labels = Labels()
    others: set[str] = set()
    for incident, facet, value, label in store.select(_INCIDENTS).rows:
        if not isinstance(incident, NamedNode) or facet is None:
            continue
        record = records.setdefault(incident.value, Incident(incident.value))
        kind = facet.value
        if kind == "label":
            labels.offer(incident, label)
        elif kind in ("start", "end") and isinstance(value, Literal):
            setattr(record, kind, min(filter(None, (getattr(record, kind), readable(value)))))
        elif value is not None:
            _add(record, kind, value, label, labels=labels, others=others)
    for record in records.values():
        record.label = labels.get(record.iri) or shorten(record.iri)
        if record.start:
            record.values["year"].add(record.start[:4])
        if "eu" not in record.values:
            record.values["eu"].add("no")
    _more_labels(store, others - set(labels.as_dict()), labels)
    return Incidents(tuple(records.values()), labels.as_dict())


def _add(
    record: Incident,
    kind: str,
    value: Term,
    label: Term | None,
    *,
    labels: Labels,
    others: set[str],
) -> None:
    """Note one value of a facet (and the attribution or response record behind it)."""
    record.values[kind].add(value.value)
    if isinstance(value, NamedNode):
        if isinstance(label, Literal):
            labels.offer(value, label)
        else:
            others.add(value.value)
    if label is not None and kind == "attributor":
        record.attributions.add(label.value)
    elif label is not None and kind == "response":
        record.responses.add(label.value)


def _more_labels(store: Store, iris: set[str], labels: Labels) -> None:
    wanted = sorted(iris)
    for start in range(0, len(wanted), 400):
        block = " ".join(str(NamedNode(i)) for i in wanted[start : start + 400])
        for s, label in store.select(_LABELS.format(values=block)).rows:
            labels.offer(s, label)


def expand(value: str) -> str:
    """A facet value from a URL: a prefixed name (``state:RU``) becomes its IRI."""
    prefix, colon, rest = value.partition(":")
    if colon and prefix in PREFIXES and not rest.startswith("//"):
        return PREFIXES[prefix] + rest
    return value


def browse(
    incidents: Incidents,
    chosen: Mapping[str, Iterable[str]],
    *,
    sort: str = "start",
    descending: bool = False,
    text: str = "",
) -> Browse:
    """The incidents that have, for every facet chosen, one of its chosen values (and
    ``text`` in their label), sorted; and each facet's values counted over the incidents
    that pass the other facets."""
    wanted = {
        facet: tuple(dict.fromkeys(expand(v) for v in values if v))
        for facet, values in chosen.items()
        if facet in dict(FACETS)
    }
    wanted = {facet: values for facet, values in wanted.items() if values}
    needle = text.casefold().strip()

    rows: list[Incident] = []
    tallies: dict[str, Counter[str]] = {facet: Counter() for facet, _ in FACETS}
    for record in incidents.records:
        if needle and needle not in record.label.casefold():
            continue
        failing = [
            facet
            for facet, values in wanted.items()
            if not record.values.get(facet, set()).intersection(values)
        ]
        if not failing:  # it is listed, and counts in every facet
            rows.append(record)
            for facet, tally in tallies.items():
                tally.update(record.values.get(facet, ()))
        elif len(failing) == 1:  # it counts in the one facet it fails: choosing there adds it
            tallies[failing[0]].update(record.values.get(failing[0], ()))
    facets: dict[str, list[tuple[str, int]]] = {}
    for facet, _ in FACETS:
        counts = tallies[facet]
        for value in wanted.get(facet, ()):
            counts.setdefault(value, 0)
        order = (
            sorted(counts.items(), key=lambda item: item[0], reverse=True)
            if facet == "year"
            else sorted(counts.items(), key=lambda i: (-i[1], incidents.name(i[0]).lower()))
        )
        facets[facet] = order
    return Browse(tuple(_sorted(rows, sort, descending)), len(rows), facets, wanted)


def _sorted(rows: Sequence[Incident], sort: str, descending: bool) -> list[Incident]:
    def key(record: Incident) -> tuple[object, ...]:
        if sort == "label":
            return (record.label.lower(), record.iri)
        if sort == "attributions":
            return (len(record.attributions), record.start, record.iri)
        if sort == "responses":
            return (len(record.responses), record.start, record.iri)
        return (record.start or "9999", record.label.lower(), record.iri)

    return sorted(rows, key=key, reverse=descending)


def names_of(incidents: Incidents, record: Incident, facet: str) -> list[str]:
    """The names of an incident's values of one facet, sorted."""
    return sorted(incidents.name(v) for v in record.values.get(facet, ()))
