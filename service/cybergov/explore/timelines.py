"""Timelines: an incident's start, each attribution (who, when, on what basis, in what
status), each response (who, what, under which legal basis, how many days after the
incident and after its first attribution), the listings made over it and their renewals,
and the claims that it breached a norm, on one time axis; and the same for every incident
attributed to an actor (a state, through its organs and the groups it sponsors, as the
attribution-chain rule derives, or a group or organ itself).

Attributions shown are those recorded from a source; a derived attribution leads back to
the recorded one it rests on, which is shown instead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from pyoxigraph import Literal, NamedNode
from rdflib.namespace import RDFS

from cybergov.errors import ResourceNotFound
from cybergov.exchange.labels import Labels
from cybergov.namespaces import CG
from cybergov.store.base import Store, Term

#: The kinds of events, in the order a day's events are listed.
KINDS = ("incident", "attribution", "response", "listing", "renewal", "claim")

_EVENTS = """
PREFIX cg: <https://w3id.org/cybergov/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?incident ?subject ?kind ?item ?date ?end ?label ?whoLabel ?toLabel ?basisLabel ?statusLabel
       ?classLabel
WHERE {
  {incidents}
  {
    ?incident cg:startDate ?date . BIND(?incident AS ?item) BIND("incident" AS ?kind)
    OPTIONAL { ?incident cg:endDate ?end }
  } UNION {
    ?item cg:attributedIncident ?incident ; cg:attributionDate ?date .
    FILTER NOT EXISTS { ?item a cg:DerivedAttribution }
    BIND("attribution" AS ?kind)
    OPTIONAL { ?item cg:attributedBy/rdfs:label ?whoLabel }
    OPTIONAL { ?item cg:attributedTo/rdfs:label ?toLabel }
    OPTIONAL { ?item cg:attributionBasis/rdfs:label ?basisLabel }
    OPTIONAL { ?item cg:attributionStatus/rdfs:label ?statusLabel }
  } UNION {
    ?item cg:respondsTo ?incident ; cg:responseDate ?date .
    BIND("response" AS ?kind)
    OPTIONAL { ?item cg:respondent/rdfs:label ?whoLabel }
    OPTIONAL { ?item cg:legalBasis/rdfs:label ?basisLabel }
    OPTIONAL {
      ?item a ?class . ?class rdfs:subClassOf+ cg:Response ; rdfs:label ?classLabel .
      FILTER NOT EXISTS { ?item a ?narrower . ?narrower rdfs:subClassOf ?class .
                          FILTER(?narrower != ?class) }
    }
  } UNION {
    ?item cg:listingReason ?incident ; cg:listingDate ?date .
    BIND("listing" AS ?kind)
    OPTIONAL { ?item cg:listedActor/rdfs:label ?toLabel }
    OPTIONAL { ?item cg:listingOf/cg:respondent/rdfs:label ?whoLabel }
  } UNION {
    ?listing cg:listingReason ?incident ; cg:renewedBy ?item .
    ?item cg:adoptionDate ?date .
    BIND("renewal" AS ?kind)
    OPTIONAL { ?item cg:adoptedBy/rdfs:label ?whoLabel }
  } UNION {
    ?item cg:aboutIncident ?incident ; cg:claimDate ?date .
    BIND("claim" AS ?kind)
    OPTIONAL { ?item cg:claimedBy/rdfs:label ?whoLabel }
    OPTIONAL { ?item cg:contravenes/rdfs:label ?toLabel }
  }
  OPTIONAL { ?item rdfs:label ?label }
}
"""
_ONE = ""
# Bound values reach the patterns of the outermost group (not a BIND, not a subquery).
_ATTRIBUTED = "?attributionToSubject cg:attributedIncident ?incident ; cg:attributedTo ?subject ."
_WHAT = f"""
SELECT ?subject ?kind ?label WHERE {{
  OPTIONAL {{ ?subject <{RDFS.label}> ?label }}
  OPTIONAL {{ ?subject a ?kind FILTER(?kind IN (<{CG.Incident}>, <{CG.Actor}>)) }}
}}
"""


@dataclass(slots=True)
class Event:
    """One dated event of a timeline."""

    kind: str
    day: date
    iri: str
    label: str
    incident: str
    end: date | None = None
    who: list[str] = field(default_factory=list)
    to: list[str] = field(default_factory=list)
    basis: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    what: list[str] = field(default_factory=list)
    #: Days from the incident's start (and, for a response, from its first attribution).
    lag: int | None = None
    lag_from_attribution: int | None = None
    link: str | None = None


@dataclass(frozen=True, slots=True)
class Timeline:
    """The events of a timeline, in order of date, and the incidents they are about."""

    subject: str
    title: str
    about: str
    events: tuple[Event, ...]
    incidents: dict[str, str]

    def span(self) -> tuple[date, date]:
        days = [e.day for e in self.events] + [e.end for e in self.events if e.end]
        return min(days), max(days)


def day_of(term: Term | None) -> date | None:
    """The calendar day of an ``xsd:date`` or ``xsd:dateTime`` literal."""
    if not isinstance(term, Literal):
        return None
    try:
        return date.fromisoformat(term.value[:10])
    except ValueError:
        return None


def timeline(store: Store, iri: str) -> Timeline:
    """The timeline of an incident, or of the incidents attributed to an actor.

    Raises:
        ResourceNotFound: ``iri`` is neither an incident nor an actor.
        StoreError: the store failed.
    """
    subject = NamedNode(iri)
    rows = store.select(_WHAT, substitutions={"subject": subject}).rows
    labels = Labels()
    kinds = set()
    for _, kind, label in rows:
        labels.offer(subject, label)
        if isinstance(kind, NamedNode):
            kinds.add(kind.value)
    name = labels.get(iri) or iri
    if str(CG.Incident) in kinds:
        about, title, pattern = "incident", f"Timeline of {name}", _ONE
    elif str(CG.Actor) in kinds:
        about, title = "actor", f"Timeline of the incidents attributed to {name}"
        pattern = _ATTRIBUTED
    else:
        raise ResourceNotFound(f"<{iri}> is neither an incident nor an actor: it has no timeline")
    sparql = _EVENTS.replace("{incidents}", pattern)
    bound = "incident" if about == "incident" else "subject"
    answer = store.select(sparql, substitutions={bound: subject})
    return Timeline(iri, title, about, *_events(answer.variables, answer.rows))


def _events(
    variables: tuple[str, ...], rows: tuple[tuple[Term | None, ...], ...]
) -> tuple[tuple[Event, ...], dict[str, str]]:
    index = {name: i for i, name in enumerate(variables)}
    found: dict[tuple[str, str, str], Event] = {}
    multi = {"whoLabel": "who", "toLabel": "to", "basisLabel": "basis", "statusLabel": "status"}
    for row in rows:
        item, kind, incident = row[index["item"]], row[index["kind"]], row[index["incident"]]
        day = day_of(row[index["date"]])
        if not isinstance(item, NamedNode) or kind is None or day is None or incident is None:
            continue
        key = (kind.value, item.value, incident.value)
        event = found.get(key)
        if event is None:
            label = row[index["label"]]
            event = found[key] = Event(
                kind=kind.value,
                day=day,
                iri=item.value,
                label=label.value if label is not None else item.value,
                incident=incident.value,
                end=day_of(row[index["end"]]),
            )
        for column, attribute in multi.items():
            value = row[index[column]]
            if value is not None and value.value not in getattr(event, attribute):
                getattr(event, attribute).append(value.value)
        what = row[index["classLabel"]]
        if what is not None and what.value not in event.what:
            event.what.append(what.value)
    return _with_lags(list(found.values()))


def _with_lags(events: list[Event]) -> tuple[tuple[Event, ...], dict[str, str]]:
    starts: dict[str, date] = {}
    first_attribution: dict[str, date] = defaultdict(lambda: date.max)
    incidents: dict[str, str] = {}
    for event in events:
        if event.kind == "incident":
            starts[event.incident] = event.day
            incidents[event.incident] = event.label
        elif event.kind == "attribution":
            first_attribution[event.incident] = min(first_attribution[event.incident], event.day)
    made = []
    for event in events:
        start = starts.get(event.incident)
        lag = (event.day - start).days if start and event.kind != "incident" else None
        since = None
        if event.kind == "response" and event.incident in first_attribution:
            since = (event.day - first_attribution[event.incident]).days
        made.append(replace(event, lag=lag, lag_from_attribution=since))
    # One event per item and day: a response to several incidents of an actor's timeline
    # shows once, with its lag after the first of them.
    kept: dict[tuple[str, str], Event] = {}
    for event in sorted(made, key=lambda e: (e.day, KINDS.index(e.kind), e.lag or 0, e.label)):
        kept.setdefault((event.kind, event.iri), event)
    ordered = sorted(kept.values(), key=lambda e: (e.day, KINDS.index(e.kind), e.label))
    return tuple(ordered), incidents
