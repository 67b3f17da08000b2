"""The STIX 2.1 objects of the graph's records, written as the ``stix2`` library writes them.

| record | STIX |
|---|---|
| state | ``identity`` (government-national), its ``location`` (country), ``located-at`` |
| organisation, company, civil society, other state organs | ``identity`` (organization) |
| person | ``identity`` (individual) |
| state organ named responsible or operating a group | ``threat-actor`` (nation-state) |
| threat-actor group | ``intrusion-set`` with its aliases |
| incident, campaign | ``incident``, ``campaign`` |
| malware | ``malware`` (a family) |
| attribution | ``attributed-to`` from the incident to the actor, one per attributor, made by it |
| operator, organ and sponsorship links | ``attributed-to`` between the actors |
| response, listing | ``report`` made by the respondent, referring to what it answers |

Each object's properties are given as JSON text (see ``stix/written.py``); a property
without a value (``None`` or an empty list) is left out, as the library leaves it out.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from stix2 import (
    Campaign,
    Identity,
    Incident,
    IntrusionSet,
    Location,
    Malware,
    Relationship,
    ThreatActor,
)

from cybergov.exchange.stix.common import add_names, common
from cybergov.exchange.stix.ids import relationship_id, stix_id
from cybergov.exchange.stix.records import (
    DCT_DESCRIPTION,
    RDFS_LABEL,
    SKOS_ALT_LABEL,
    Record,
)
from cybergov.exchange.stix.written import Kind, Writer, Written, text, texts
from cybergov.namespaces import shorten

IDENTITY = Kind(Identity)
LOCATION = Kind(Location)
RELATIONSHIP = Kind(Relationship)
THREAT_ACTOR = Kind(ThreatActor)
INTRUSION_SET = Kind(IntrusionSet)
CAMPAIGN = Kind(Campaign)
INCIDENT = Kind(
    Incident, ("x_cybergov_start_date", "x_cybergov_target_sectors", "x_cybergov_incident_types")
)
MALWARE = Kind(Malware)

_ORGANISATION_SECTORS = {
    "State": texts(["government-national"]),
    "CivilSocietyOrganisation": texts(["non-profit"]),
}
_NATION_STATE = texts(["nation-state"])
#: An incident's concepts, by the property of its object.
_INCIDENT_NAMES = {
    "x_cybergov_target_sectors": "targetSector",
    "x_cybergov_incident_types": "incidentType",
}
_INDIVIDUAL, _ORGANISATION = text("individual"), text("organization")


class References:
    """Which STIX object stands for a resource, from what the whole store says of it, so
    that an export of one import refers to the objects of the curated export: a group is an
    ``intrusion-set``, an organ acting as a threat actor a ``threat-actor``, any other actor
    an ``identity``; a campaign is a ``campaign``, any other incident an ``incident``."""

    def __init__(self, groups: set[str], threat_organs: set[str], campaigns: set[str]) -> None:
        self.groups = groups
        self.threat_organs = threat_organs
        self.campaigns = campaigns
        self._written: dict[str, str] = {}

    def written(self, identifier: str) -> str:
        """An identifier as JSON text, written once per export (the same actors and
        incidents are referred to again and again)."""
        found = self._written.get(identifier)
        if found is None:
            found = self._written[identifier] = text(identifier)
        return found

    def kind(self, iri: str) -> str:
        if iri in self.groups:
            return "intrusion-set"
        if iri in self.threat_organs:
            return "threat-actor"
        return "identity"

    def ref(self, iri: str) -> str:
        """The identifier of the STIX object that stands for an actor."""
        return stix_id(self.kind(iri), iri)

    def identity_ref(self, iri: str) -> str:
        """The identifier of the actor's ``identity`` (for ``created_by_ref``)."""
        return stix_id("identity", iri)

    def incident_ref(self, iri: str) -> str:
        """The identifier of an incident's object."""
        return stix_id("campaign" if iri in self.campaigns else "incident", iri)


def name_of(record: Record) -> str:
    return record.text(RDFS_LABEL) or shorten(record.iri)


def _described(record: Record, given: dict[str, str]) -> dict[str, str]:
    """``given`` with the record's description, when it has one."""
    described = record.text(DCT_DESCRIPTION)
    if described is not None:
        given["description"] = text(described)
    return given


def _aliases(given: dict[str, str], aliases: list[str]) -> dict[str, str]:
    if aliases:
        given["aliases"] = texts(aliases)
    return given


def identity(out: Writer, record: Record, now: datetime, *, individual: bool = False) -> Written:
    kind = next((k for k in _ORGANISATION_SECTORS if record.is_a(k)), None)
    given = _described(record, {"name": text(name_of(record))})
    given["identity_class"] = _INDIVIDUAL if individual else _ORGANISATION
    if kind:
        given["sectors"] = _ORGANISATION_SECTORS[kind]
    modified, shared = common(out, record, now)
    identifier = stix_id("identity", record.iri)
    return out.write(IDENTITY, identifier, modified, {"id": text(identifier), **given, **shared})


def country(out: Writer, record: Record, now: datetime) -> Iterator[Written]:
    """A state's ``location`` and the ``located-at`` relationship from its identity."""
    code = record.first("iso3166Alpha2")
    if not code or len(code) != 2:
        return
    place = stix_id("location", record.iri)
    modified, shared = common(out, record, now)
    yield out.write(
        LOCATION,
        place,
        modified,
        {"id": text(place), "name": text(name_of(record)), "country": text(code), **shared},
    )
    identifier = relationship_id(record.iri, "located-at")
    yield out.write(
        RELATIONSHIP,
        identifier,
        modified,
        {
            "id": text(identifier),
            "relationship_type": '"located-at"',
            "source_ref": text(stix_id("identity", record.iri)),
            "target_ref": text(place),
            **shared,
        },
    )


def threat_actor(out: Writer, record: Record, now: datetime) -> Written:
    identifier = stix_id("threat-actor", record.iri)
    given = _described(record, {"id": text(identifier), "name": text(name_of(record))})
    given["threat_actor_types"] = _NATION_STATE
    _aliases(given, record.all(SKOS_ALT_LABEL))
    modified, shared = common(out, record, now)
    return out.write(THREAT_ACTOR, identifier, modified, {**given, **shared})


def intrusion_set(out: Writer, record: Record, now: datetime, aliases: list[str]) -> Written:
    name = name_of(record)
    identifier = stix_id("intrusion-set", record.iri)
    given = _described(record, {"id": text(identifier), "name": text(name)})
    _aliases(given, sorted({*aliases, *record.all(SKOS_ALT_LABEL)} - {name}))
    modified, shared = common(out, record, now)
    return out.write(INTRUSION_SET, identifier, modified, {**given, **shared})


def incident(out: Writer, record: Record, stamped: tuple[datetime, dict[str, str]]) -> Written:
    """A campaign as ``campaign`` (first seen at its start); any other incident as STIX 2.1's
    ``incident``, whose start, sectors and types (STIX has no property for them) are
    ``x_cybergov_`` properties; ``stamped`` is the record's ``common``."""
    start = record.date("startDate")
    modified, shared = stamped
    if record.is_a("Campaign"):
        identifier = stix_id("campaign", record.iri)
        given = _described(record, {"id": text(identifier), "name": text(name_of(record))})
        _aliases(given, record.all(SKOS_ALT_LABEL))
        if start is not None:
            given["first_seen"] = out.any_time(start)
        return out.write(CAMPAIGN, identifier, modified, {**given, **shared})
    identifier = stix_id("incident", record.iri)
    given = _described(record, {"id": text(identifier), "name": text(name_of(record))})
    if start is not None:
        given["x_cybergov_start_date"] = out.any_time(start)
    add_names(out, record, given, _INCIDENT_NAMES)
    return out.write(INCIDENT, identifier, modified, {**given, **shared})


def malware(out: Writer, record: Record, now: datetime) -> Written:
    identifier = stix_id("malware", record.iri)
    given = _described(record, {"id": text(identifier), "name": text(name_of(record))})
    _aliases(given, record.all(SKOS_ALT_LABEL))
    given["is_family"] = "true"
    modified, shared = common(out, record, now)
    return out.write(MALWARE, identifier, modified, {**given, **shared})
