"""The STIX 2.1 objects of the graph's records, built with the ``stix2`` library.

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
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

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

from cybergov.exchange.stix.common import common, local_names
from cybergov.exchange.stix.drafts import Draft
from cybergov.exchange.stix.ids import stix_id
from cybergov.exchange.stix.records import (
    DCT_DESCRIPTION,
    RDFS_LABEL,
    SKOS_ALT_LABEL,
    Record,
)
from cybergov.namespaces import shorten

_ORGANISATION_SECTORS = {
    "State": ["government-national"],
    "CivilSocietyOrganisation": ["non-profit"],
}


class References:
    """Which STIX object stands for a resource, from what the whole store says of it, so
    that an export of one import refers to the objects of the curated export: a group is an
    ``intrusion-set``, an organ acting as a threat actor a ``threat-actor``, any other actor
    an ``identity``; a campaign is a ``campaign``, any other incident an ``incident``."""

    def __init__(self, groups: set[str], threat_organs: set[str], campaigns: set[str]) -> None:
        self.groups = groups
        self.threat_organs = threat_organs
        self.campaigns = campaigns

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


def identity(record: Record, now: datetime, *, individual: bool = False) -> Draft:
    kind = next((k for k in _ORGANISATION_SECTORS if record.is_a(k)), None)
    extra: dict[str, Any] = {"sectors": _ORGANISATION_SECTORS[kind]} if kind else {}
    return Draft(
        Identity,
        {
            "id": stix_id("identity", record.iri),
            "name": name_of(record),
            "description": record.text(DCT_DESCRIPTION),
            "identity_class": "individual" if individual else "organization",
            **extra,
            **common(record, now),
        },
    )


def country(record: Record, now: datetime) -> Iterator[Draft]:
    """A state's ``location`` and the ``located-at`` relationship from its identity."""
    code = record.first("iso3166Alpha2")
    if not code or len(code) != 2:
        return
    place = stix_id("location", record.iri)
    yield Draft(
        Location,
        {"id": place, "name": name_of(record), "country": code, **common(record, now)},
    )
    yield Draft(
        Relationship,
        {
            "id": stix_id("relationship", record.iri, "located-at"),
            "relationship_type": "located-at",
            "source_ref": stix_id("identity", record.iri),
            "target_ref": place,
            **common(record, now),
        },
    )


def threat_actor(record: Record, now: datetime) -> Draft:
    return Draft(
        ThreatActor,
        {
            "id": stix_id("threat-actor", record.iri),
            "name": name_of(record),
            "description": record.text(DCT_DESCRIPTION),
            "threat_actor_types": ["nation-state"],
            "aliases": record.all(SKOS_ALT_LABEL) or None,
            **common(record, now),
        },
    )


def intrusion_set(record: Record, now: datetime, aliases: list[str]) -> Draft:
    name = name_of(record)
    names = sorted({*aliases, *record.all(SKOS_ALT_LABEL)} - {name})
    return Draft(
        IntrusionSet,
        {
            "id": stix_id("intrusion-set", record.iri),
            "name": name,
            "description": record.text(DCT_DESCRIPTION),
            "aliases": names or None,
            **common(record, now),
        },
    )


def incident(record: Record, now: datetime) -> Draft:
    """A campaign as ``campaign`` (first seen at its start); any other incident as STIX 2.1's
    ``incident``, whose start, sectors and types (STIX has no property for them) are
    ``x_cybergov_`` properties."""
    start = record.date("startDate")
    if record.is_a("Campaign"):
        return Draft(
            Campaign,
            {
                "id": stix_id("campaign", record.iri),
                "name": name_of(record),
                "description": record.text(DCT_DESCRIPTION),
                "aliases": record.all(SKOS_ALT_LABEL) or None,
                "first_seen": start,
                **common(record, now),
            },
        )
    custom = {
        "x_cybergov_start_date": start,
        "x_cybergov_target_sectors": local_names(tuple(record.all("targetSector"))) or None,
        "x_cybergov_incident_types": local_names(tuple(record.all("incidentType"))) or None,
    }
    return Draft(
        Incident,
        {
            "id": stix_id("incident", record.iri),
            "name": name_of(record),
            "description": record.text(DCT_DESCRIPTION),
            **{k: v for k, v in custom.items() if v is not None},
            **common(record, now),
        },
        custom=True,
    )


def malware(record: Record, now: datetime) -> Draft:
    return Draft(
        Malware,
        {
            "id": stix_id("malware", record.iri),
            "name": name_of(record),
            "description": record.text(DCT_DESCRIPTION),
            "aliases": record.all(SKOS_ALT_LABEL) or None,
            "is_family": True,
            **common(record, now),
        },
    )
