"""The STIX bundle of a selection made the plain way, as the reference of the export.

The export writes each object's JSON text itself (``exchange/stix/written.py``). Here the
same records become objects built by the ``stix2`` library from their properties as Python
values (times as ``datetime``, references as dictionaries), by the rules of the
``stix/objects.py`` and ``stix/relations.py`` table, and the bundle is written by the
library's encoder: both must give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from stix2 import (
    TLP_WHITE,
    Campaign,
    Identity,
    Incident,
    IntrusionSet,
    Location,
    Malware,
    Relationship,
    Report,
    ThreatActor,
)
from stix2.serialization import STIXJSONEncoder

from cybergov.exchange.stix import StixExport
from cybergov.exchange.stix.common import CONFIDENCE_SCALE, LICENCE, PRODUCER, local_name
from cybergov.exchange.stix.ids import stix_id
from cybergov.exchange.stix.objects import References
from cybergov.exchange.stix.records import (
    DCT_DESCRIPTION,
    DCT_SOURCE,
    RDFS_LABEL,
    SKOS_ALT_LABEL,
    Reading,
    Record,
    selected_graphs,
)
from cybergov.exchange.version import graph_version
from cybergov.execution import QueryRunner
from cybergov.namespaces import shorten

_MARKINGS = [TLP_WHITE.id, LICENCE.id]
_LINKS = ("OperatorLink", "OrganLink", "SponsorshipLink")
_RESPONSE_KINDS = (
    "Sanction", "AttributionStatement", "Indictment", "Expulsion", "Demarche",
    "Countermeasure", "Advisory", "LawEnforcementOperation", "PublicStatement",
)  # fmt: skip


def reference_bundle(
    runner: QueryRunner, graph: str, now: datetime, since: datetime | None = None
) -> str:
    """The bundle of ``graph`` as ``export_stix(runner, graph=graph, now=now, since=since)
    .json()`` must write it."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        reading = Reading.start(runner, selected_graphs(runner.store, graph), pool)
        records = reading.records()
        actors = References(*reading.actors())
        aliases = reading.aliases()
    authors = {
        a for r in records.values() for a in r.iris(("attributedBy", "respondent", "statedBy"))
    }
    found: dict[str, Any] = {}
    for iri in sorted(records):
        record = records[iri]
        made = list(_objects(record, now, actors, records, aliases))
        if iri in authors and actors.kind(iri) != "identity":
            made.append(_identity(record, now))
        for item in made:
            found.setdefault(item.id, item)
    kept = [found[k] for k in sorted(found)]
    if since is not None:
        kept = [o for o in kept if o.get("modified", o.created) >= since]
    version = graph_version(runner.store)
    bundle_id = StixExport(graph, version, [], since).bundle_id
    objects = [PRODUCER.build(), LICENCE.build(), *kept]
    body = {"type": "bundle", "id": bundle_id, "objects": objects}
    return json.dumps(body, cls=STIXJSONEncoder, ensure_ascii=False)


def _build(kind: type[Any], properties: dict[str, Any], *, custom: bool = False) -> Any:
    return kind(allow_custom=custom, **properties)


def _reference(source_name: str, url: str, external_id: str | None = None) -> dict[str, str]:
    found = {"source_name": source_name, "url": url}
    if external_id:
        found["external_id"] = external_id
    return found


def _references(record: Record) -> list[dict[str, str]]:
    sources = [_reference("source", url) for url in record.all(DCT_SOURCE)]
    return [_reference("cybergov", record.iri, shorten(record.iri)), *sources]


def _times(record: Record, now: datetime, made: str | None = None) -> dict[str, datetime]:
    modified = record.modified or now
    created = record.date(made) if made else None
    if created is None or created > modified:
        created = modified
    return {"created": created, "modified": modified}


def _common(record: Record, now: datetime, made: str | None = None) -> dict[str, Any]:
    return {
        "created_by_ref": PRODUCER.id,
        "object_marking_refs": _MARKINGS,
        "external_references": _references(record),
        **_times(record, now, made),
    }


def _names(iris: list[str]) -> list[str]:
    return [local_name(iri) for iri in iris]


def _name(record: Record) -> str:
    return record.text(RDFS_LABEL) or shorten(record.iri)


def _objects(
    record: Record,
    now: datetime,
    actors: References,
    records: dict[str, Record],
    aliases: dict[str, list[str]],
) -> Iterator[Any]:
    if record.is_a("Attribution"):
        if not record.is_a("DerivedAttribution"):
            yield from _attribution(record, now, actors)
    elif any(record.is_a(k) for k in _LINKS):
        yield from _link(record, now, actors)
    elif record.is_a("Incident"):
        yield _incident(record, now)
        yield from _incident_links(record, now, actors)
    elif record.is_a("Response"):
        yield from _response(record, now, actors)
    elif record.is_a("Listing"):
        yield from _listing(record, now, actors, records)
    elif record.is_a("Malware"):
        yield _build(
            Malware,
            {
                "id": stix_id("malware", record.iri),
                "name": _name(record),
                "description": record.text(DCT_DESCRIPTION),
                "aliases": record.all(SKOS_ALT_LABEL),
                "is_family": True,
                **_common(record, now),
            },
        )
    else:
        yield from _actor(record, now, actors, aliases)


def _actor(
    record: Record, now: datetime, actors: References, aliases: dict[str, list[str]]
) -> Iterator[Any]:
    if record.is_a("ThreatActorGroup"):
        name = _name(record)
        names = sorted({*aliases.get(record.iri, []), *record.all(SKOS_ALT_LABEL)} - {name})
        yield _build(
            IntrusionSet,
            {
                "id": stix_id("intrusion-set", record.iri),
                "name": name,
                "description": record.text(DCT_DESCRIPTION),
                "aliases": names,
                **_common(record, now),
            },
        )
    elif record.is_a("StateOrgan") and actors.kind(record.iri) == "threat-actor":
        yield _build(
            ThreatActor,
            {
                "id": stix_id("threat-actor", record.iri),
                "name": _name(record),
                "description": record.text(DCT_DESCRIPTION),
                "threat_actor_types": ["nation-state"],
                "aliases": record.all(SKOS_ALT_LABEL),
                **_common(record, now),
            },
        )
    elif record.is_a("State"):
        yield _identity(record, now)
        yield from _country(record, now)
    elif record.is_a("Person"):
        yield _identity(record, now, individual=True)
    elif record.is_a("Actor") or record.is_a("Organisation"):
        yield _identity(record, now)


def _identity(record: Record, now: datetime, *, individual: bool = False) -> Any:
    sectors = {"State": "government-national", "CivilSocietyOrganisation": "non-profit"}
    sector = next((s for k, s in sectors.items() if record.is_a(k)), None)
    return _build(
        Identity,
        {
            "id": stix_id("identity", record.iri),
            "name": _name(record),
            "description": record.text(DCT_DESCRIPTION),
            "identity_class": "individual" if individual else "organization",
            "sectors": [sector] if sector else None,
            **_common(record, now),
        },
    )


def _country(record: Record, now: datetime) -> Iterator[Any]:
    code = record.first("iso3166Alpha2")
    if not code or len(code) != 2:
        return
    place = stix_id("location", record.iri)
    yield _build(
        Location, {"id": place, "name": _name(record), "country": code, **_common(record, now)}
    )
    yield _build(
        Relationship,
        {
            "id": stix_id("relationship", record.iri, "located-at"),
            "relationship_type": "located-at",
            "source_ref": stix_id("identity", record.iri),
            "target_ref": place,
            **_common(record, now),
        },
    )


def _incident(record: Record, now: datetime) -> Any:
    start = record.date("startDate")
    if record.is_a("Campaign"):
        return _build(
            Campaign,
            {
                "id": stix_id("campaign", record.iri),
                "name": _name(record),
                "description": record.text(DCT_DESCRIPTION),
                "aliases": record.all(SKOS_ALT_LABEL),
                "first_seen": start,
                **_common(record, now),
            },
        )
    return _build(
        Incident,
        {
            "id": stix_id("incident", record.iri),
            "name": _name(record),
            "description": record.text(DCT_DESCRIPTION),
            "x_cybergov_start_date": start,
            "x_cybergov_target_sectors": _names(record.all("targetSector")),
            "x_cybergov_incident_types": _names(record.all("incidentType")),
            **_common(record, now),
        },
        custom=True,
    )


def _attribution(record: Record, now: datetime, actors: References) -> Iterator[Any]:
    incident = record.first("attributedIncident")
    if incident is None:
        return
    for attributor in record.all("attributedBy") or [None]:
        for culprit in record.all("attributedTo"):
            yield _build(
                Relationship,
                {
                    "id": stix_id("relationship", record.iri, attributor or "", culprit),
                    "relationship_type": "attributed-to",
                    "source_ref": actors.incident_ref(incident),
                    "target_ref": actors.ref(culprit),
                    "description": record.text(DCT_DESCRIPTION),
                    "confidence": CONFIDENCE_SCALE.get(record.first("confidence") or ""),
                    "x_cybergov_attribution": record.iri,
                    "x_cybergov_attribution_basis": _names(record.all("attributionBasis")),
                    "x_cybergov_attribution_status": _names(record.all("attributionStatus")),
                    "x_cybergov_confidence_wording": record.text("confidenceWording"),
                    **_common(record, now, "attributionDate"),
                    "created_by_ref": actors.identity_ref(attributor)
                    if attributor
                    else PRODUCER.id,
                },
                custom=True,
            )


def _link(record: Record, now: datetime, actors: References) -> Iterator[Any]:
    linked, to = record.first("linkedActor"), record.first("linkedTo")
    if linked is None or to is None:
        return
    stated = record.first("statedBy")
    yield _build(
        Relationship,
        {
            "id": stix_id("relationship", record.iri),
            "relationship_type": "attributed-to",
            "source_ref": actors.ref(linked),
            "target_ref": actors.ref(to),
            "description": record.text(DCT_DESCRIPTION) or _name(record),
            **_common(record, now, "statementDate"),
            "created_by_ref": actors.identity_ref(stated) if stated else PRODUCER.id,
        },
    )


def _incident_links(record: Record, now: datetime, actors: References) -> Iterator[Any]:
    targets = sorted({*record.all("targetCountry"), *record.all("targetedActor")})
    pairs = [("targets", actors.identity_ref(t), t) for t in targets]
    pairs += [("uses", stix_id("malware", m), m) for m in record.all("usedMalware")]
    for kind, target_ref, target in pairs:
        yield _build(
            Relationship,
            {
                "id": stix_id("relationship", record.iri, kind, target),
                "relationship_type": kind,
                "source_ref": actors.incident_ref(record.iri),
                "target_ref": target_ref,
                **_common(record, now),
            },
        )


def _response(record: Record, now: datetime, actors: References) -> Iterator[Any]:
    kind = next((k for k in _RESPONSE_KINDS if record.is_a(k)), "Response")
    label = "".join(f"-{c.lower()}" if c.isupper() else c for c in kind).lstrip("-")
    refs = [actors.incident_ref(i) for i in record.all("respondsTo")]
    refs += [actors.ref(p) for p in record.all("indictedPerson")]
    refs += [stix_id("report", listing) for listing in record.all("hasListing")]
    bases = [_reference("legal-basis", act, shorten(act)) for act in record.all("legalBasis")]
    yield from _report(record, now, actors, refs, label, "responseDate", None, bases)


def _listing(
    record: Record, now: datetime, actors: References, records: dict[str, Record]
) -> Iterator[Any]:
    refs = [actors.ref(a) for a in record.all("listedActor")]
    refs += [actors.incident_ref(i) for i in record.all("listingReason")]
    sanction = records.get(record.first("listingOf") or "")
    respondent = sanction.first("respondent") if sanction else None
    yield from _report(
        record, now, actors, refs, "sanctions-listing", "listingDate", respondent, []
    )


def _report(
    record: Record,
    now: datetime,
    actors: References,
    refs: list[str],
    label: str,
    made: str,
    by: str | None,
    cited: list[dict[str, str]],
) -> Iterator[Any]:
    author = by or record.first("respondent")
    if author:
        refs = [*refs, actors.identity_ref(author)]
    if not refs:
        return
    properties = _common(record, now, made)
    yield _build(
        Report,
        {
            "id": stix_id("report", record.iri),
            "name": _name(record),
            "description": record.text(DCT_DESCRIPTION),
            "report_types": ["threat-report"],
            "labels": [label],
            "published": record.date(made) or properties["created"],
            "object_refs": sorted(set(refs)),
            **properties,
            "created_by_ref": actors.identity_ref(author) if author else PRODUCER.id,
            "external_references": [*properties["external_references"], *cited],
        },
    )
