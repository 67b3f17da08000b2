"""The STIX relationships and reports of the graph's records: attributions, the links
between actors, what incidents target and use, and the responses and listings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from stix2 import Relationship, Report

from cybergov.exchange.stix.common import (
    CONFIDENCE_SCALE,
    MARKINGS,
    PRODUCER,
    common,
    legal_reference,
    local_names,
    references,
    times,
)
from cybergov.exchange.stix.drafts import Draft
from cybergov.exchange.stix.ids import stix_id
from cybergov.exchange.stix.objects import References, name_of
from cybergov.exchange.stix.records import DCT_DESCRIPTION, Record


def attribution(record: Record, now: datetime, actors: References) -> Iterator[Draft]:
    """One ``attributed-to`` per attributor and actor held responsible, made by the attributor
    (``created_by_ref``, ``created`` the date of the attribution), with the confidence on
    STIX's scale, the sources, and the basis and status as ``x_cybergov_`` properties."""
    incident = record.first("attributedIncident")
    if incident is None:
        return
    source_ref = actors.incident_ref(incident)
    custom: dict[str, Any] = {
        "x_cybergov_attribution": record.iri,
        "x_cybergov_attribution_basis": local_names(tuple(record.all("attributionBasis"))),
        "x_cybergov_attribution_status": local_names(tuple(record.all("attributionStatus"))),
        "x_cybergov_confidence_wording": record.text("confidenceWording"),
    }
    confidence = CONFIDENCE_SCALE.get(record.first("confidence") or "")
    if confidence is not None:
        custom["confidence"] = confidence
    # what every relationship of the attribution shares, made once
    described = record.text(DCT_DESCRIPTION)
    cited = references(record)
    given = {k: v for k, v in custom.items() if v not in (None, [])}
    made = times(record, now, made="attributionDate")
    culprits = [(culprit, actors.ref(culprit)) for culprit in record.all("attributedTo")]
    attributors: list[str | None] = [*record.all("attributedBy")] or [None]
    for attributor in attributors:
        author = actors.identity_ref(attributor) if attributor else PRODUCER.id
        for culprit, target_ref in culprits:
            yield Draft(
                Relationship,
                {
                    "id": stix_id("relationship", record.iri, attributor or "", culprit),
                    "relationship_type": "attributed-to",
                    "source_ref": source_ref,
                    "target_ref": target_ref,
                    "description": described,
                    "created_by_ref": author,
                    "object_marking_refs": MARKINGS,
                    "external_references": cited,
                    **given,
                    **made,
                },
                custom=True,
            )


def link(record: Record, now: datetime, actors: References) -> Iterator[Draft]:
    """An operator, organ or sponsorship link as ``attributed-to`` from the actor to the one
    behind it, made by whoever stated it (the graph when no one is named)."""
    linked, to = record.first("linkedActor"), record.first("linkedTo")
    if linked is None or to is None:
        return
    stated = record.first("statedBy")
    yield Draft(
        Relationship,
        {
            "id": stix_id("relationship", record.iri),
            "relationship_type": "attributed-to",
            "source_ref": actors.ref(linked),
            "target_ref": actors.ref(to),
            "description": record.text(DCT_DESCRIPTION) or name_of(record),
            **common(record, now, made="statementDate"),
            "created_by_ref": actors.identity_ref(stated) if stated else PRODUCER.id,
        },
    )


def incident_links(record: Record, now: datetime, actors: References) -> Iterator[Draft]:
    """What an incident targets (states and actors, as ``targets``) and the malware it uses."""
    source = actors.incident_ref(record.iri)
    targets = sorted({*record.all("targetCountry"), *record.all("targetedActor")})
    pairs = [("targets", actors.identity_ref(t), t) for t in targets]
    pairs += [("uses", stix_id("malware", m), m) for m in record.all("usedMalware")]
    for kind, target_ref, target in pairs:
        yield Draft(
            Relationship,
            {
                "id": stix_id("relationship", record.iri, kind, target),
                "relationship_type": kind,
                "source_ref": source,
                "target_ref": target_ref,
                **common(record, now),
            },
        )


def response(
    record: Record, now: datetime, actors: References, records: dict[str, Record]
) -> Draft | None:
    """A response as a ``report`` made by the respondent and published on the response's
    date, referring to the incidents it answers, the persons it indicts and its listings;
    its kind (``sanction``, ``attribution-statement``...) is its label."""
    refs = [actors.incident_ref(i) for i in record.all("respondsTo")]
    refs += [actors.ref(p) for p in record.all("indictedPerson")]
    refs += [stix_id("report", listing) for listing in record.all("hasListing")]
    bases = [legal_reference(act) for act in record.all("legalBasis")]
    return _report(
        record, now, actors, refs, kind=_response_kind(record), made="responseDate", cited=bases
    )


def listing(
    record: Record, now: datetime, actors: References, records: dict[str, Record]
) -> Draft | None:
    """A sanctions listing as a ``report`` published on the listing's date, made by the
    respondent of its sanction, referring to the listed actor and the incidents behind it."""
    refs = [actors.ref(a) for a in record.all("listedActor")]
    refs += [actors.incident_ref(i) for i in record.all("listingReason")]
    sanction = records.get(record.first("listingOf") or "")
    respondent = sanction.first("respondent") if sanction else None
    return _report(
        record, now, actors, refs, kind="sanctions-listing", made="listingDate", by=respondent
    )


def _response_kind(record: Record) -> str:
    kinds = (
        "Sanction", "AttributionStatement", "Indictment", "Expulsion", "Demarche",
        "Countermeasure", "Advisory", "LawEnforcementOperation", "PublicStatement",
    )  # fmt: skip
    kind = next((k for k in kinds if record.is_a(k)), "Response")
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in kind).lstrip("-")


def _report(
    record: Record,
    now: datetime,
    actors: References,
    refs: list[str],
    *,
    kind: str,
    made: str,
    by: str | None = None,
    cited: list[dict[str, str]] | None = None,
) -> Draft | None:
    author = by or record.first("respondent")
    if author:
        refs = [*refs, actors.identity_ref(author)]
    if not refs:
        return None
    properties = common(record, now, made=made)
    if author:
        properties["created_by_ref"] = actors.identity_ref(author)
    properties["external_references"] = [*properties["external_references"], *(cited or [])]
    return Draft(
        Report,
        {
            "id": stix_id("report", record.iri),
            "name": name_of(record),
            "description": record.text(DCT_DESCRIPTION),
            "report_types": ["threat-report"],
            "labels": [kind],
            "published": record.date(made) or properties["created"],
            "object_refs": sorted(set(refs)),
            **properties,
        },
    )
