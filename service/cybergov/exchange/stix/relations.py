"""The STIX relationships and reports of the graph's records: attributions, the links
between actors, what incidents target and use, and the responses and listings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from stix2 import Relationship, Report

from cybergov.exchange.stix.common import (
    BY_PRODUCER,
    CONFIDENCE_SCALE,
    MARKINGS,
    add_names,
    common,
    legal_reference,
    references,
    stamps,
    times,
)
from cybergov.exchange.stix.ids import relationship_id, stix_id
from cybergov.exchange.stix.objects import RELATIONSHIP, References, name_of
from cybergov.exchange.stix.records import DCT_DESCRIPTION, DCT_SOURCE, RDF_TYPE, Record
from cybergov.exchange.stix.written import Kind, Writer, Written, joined, text, texts
from cybergov.namespaces import CG

#: An attribution's ``attributed-to``, with the ``x_cybergov_`` properties of attributions.
ATTRIBUTED = Kind(
    Relationship,
    (
        "x_cybergov_attribution", "x_cybergov_attribution_basis",
        "x_cybergov_attribution_status", "x_cybergov_confidence_wording",
    ),
)  # fmt: skip
REPORT = Kind(Report)
#: The properties an attribution's objects are made of (see :func:`attribution`).
ATTRIBUTION_PROPERTIES = (
    RDF_TYPE, DCT_DESCRIPTION, DCT_SOURCE,
    *(
        str(CG[name])
        for name in (
            "attributedIncident", "attributedBy", "attributedTo", "attributionBasis",
            "attributionDate", "attributionStatus", "confidence", "confidenceWording",
        )
    ),
)  # fmt: skip
_THREAT_REPORT = texts(["threat-report"])
#: An attribution's concepts, by the property of its objects.
_ATTRIBUTION_NAMES = {
    "x_cybergov_attribution_basis": "attributionBasis",
    "x_cybergov_attribution_status": "attributionStatus",
}


def attribution(
    out: Writer, record: Record, now: datetime, actors: References
) -> Iterator[Written]:
    """One ``attributed-to`` per attributor and actor held responsible, made by the attributor
    (``created_by_ref``, ``created`` the date of the attribution), with the confidence on
    STIX's scale, the sources, and the basis and status as ``x_cybergov_`` properties."""
    incident = record.first("attributedIncident")
    culprits = record.all("attributedTo")
    if incident is None or not culprits:
        return
    # what every relationship of the attribution shares, written once
    given = {"relationship_type": '"attributed-to"'}
    described = record.text(DCT_DESCRIPTION)
    if described is not None:
        given["description"] = text(described)
    given["source_ref"] = actors.written(actors.incident_ref(incident))
    modified, created_text, modified_text = stamps(out, record, now, made="attributionDate")
    given["object_marking_refs"] = MARKINGS
    given["external_references"] = references(record)
    given["x_cybergov_attribution"] = text(record.iri)
    add_names(out, record, given, _ATTRIBUTION_NAMES)
    wording = record.text("confidenceWording")
    if wording is not None:
        given["x_cybergov_confidence_wording"] = text(wording)
    confidence = CONFIDENCE_SCALE.get(record.first("confidence") or "")
    if confidence is not None:
        given["confidence"] = str(confidence)
    given["created"] = created_text
    given["modified"] = modified_text
    targets = [(culprit, actors.written(actors.ref(culprit))) for culprit in culprits]
    # each relationship's own properties, set in turn (``write`` keeps nothing of ``given``)
    for attributor in record.all("attributedBy") or ("",):
        if attributor:
            given["created_by_ref"] = actors.written(actors.identity_ref(attributor))
        else:
            given["created_by_ref"] = BY_PRODUCER
        for culprit, target_ref in targets:
            identifier = relationship_id(record.iri, attributor, culprit)
            given["id"] = text(identifier)
            given["target_ref"] = target_ref
            yield out.write(ATTRIBUTED, identifier, modified, given)


def link(out: Writer, record: Record, now: datetime, actors: References) -> Iterator[Written]:
    """An operator, organ or sponsorship link as ``attributed-to`` from the actor to the one
    behind it, made by whoever stated it (the graph when no one is named)."""
    linked, to = record.first("linkedActor"), record.first("linkedTo")
    if linked is None or to is None:
        return
    stated = record.first("statedBy")
    identifier = relationship_id(record.iri)
    modified, shared = common(out, record, now, made="statementDate")
    if stated:
        shared["created_by_ref"] = text(actors.identity_ref(stated))
    yield out.write(
        RELATIONSHIP,
        identifier,
        modified,
        {
            "id": text(identifier),
            "relationship_type": '"attributed-to"',
            "source_ref": text(actors.ref(linked)),
            "target_ref": text(actors.ref(to)),
            "description": text(record.text(DCT_DESCRIPTION) or name_of(record)),
            **shared,
        },
    )


def incident_links(
    out: Writer, record: Record, actors: References, stamped: tuple[datetime, dict[str, str]]
) -> Iterator[Written]:
    """What an incident targets (states and actors, as ``targets``) and the malware it uses
    (``stamped``: the record's ``common``)."""
    targets = sorted({*record.all("targetCountry"), *record.all("targetedActor")})
    pairs = [("targets", actors.identity_ref(t), t) for t in targets]
    pairs += [("uses", stix_id("malware", m), m) for m in record.all("usedMalware")]
    if not pairs:
        return
    modified, shared = stamped
    source = text(actors.incident_ref(record.iri))
    for kind, target_ref, target in pairs:
        identifier = relationship_id(record.iri, kind, target)
        yield out.write(
            RELATIONSHIP,
            identifier,
            modified,
            {
                "id": text(identifier),
                "relationship_type": text(kind),
                "source_ref": source,
                "target_ref": text(target_ref),
                **shared,
            },
        )


def response(
    out: Writer, record: Record, now: datetime, actors: References, records: dict[str, Record]
) -> Written | None:
    """A response as a ``report`` made by the respondent and published on the response's
    date, referring to the incidents it answers, the persons it indicts and its listings;
    its kind (``sanction``, ``attribution-statement``...) is its label."""
    refs = [actors.incident_ref(i) for i in record.all("respondsTo")]
    refs += [actors.ref(p) for p in record.all("indictedPerson")]
    refs += [stix_id("report", listing) for listing in record.all("hasListing")]
    bases = [legal_reference(act) for act in record.all("legalBasis")]
    return _report(
        out, record, now, actors, refs, kind=_response_kind(record), made="responseDate",
        cited=bases,
    )  # fmt: skip


def listing(
    out: Writer, record: Record, now: datetime, actors: References, records: dict[str, Record]
) -> Written | None:
    """A sanctions listing as a ``report`` published on the listing's date, made by the
    respondent of its sanction, referring to the listed actor and the incidents behind it."""
    refs = [actors.ref(a) for a in record.all("listedActor")]
    refs += [actors.incident_ref(i) for i in record.all("listingReason")]
    sanction = records.get(record.first("listingOf") or "")
    respondent = sanction.first("respondent") if sanction else None
    return _report(
        out, record, now, actors, refs, kind="sanctions-listing", made="listingDate",
        by=respondent,
    )  # fmt: skip


def _response_kind(record: Record) -> str:
    kinds = (
        "Sanction", "AttributionStatement", "Indictment", "Expulsion", "Demarche",
        "Countermeasure", "Advisory", "LawEnforcementOperation", "PublicStatement",
    )  # fmt: skip
    kind = next((k for k in kinds if record.is_a(k)), "Response")
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in kind).lstrip("-")


def _report(
    out: Writer,
    record: Record,
    now: datetime,
    actors: References,
    refs: list[str],
    *,
    kind: str,
    made: str,
    by: str | None = None,
    cited: list[str] | None = None,
) -> Written | None:
    author = by or record.first("respondent")
    if author:
        refs = [*refs, actors.identity_ref(author)]
    if not refs:
        return None
    created, modified = times(record, now, made=made)
    identifier = stix_id("report", record.iri)
    given = {"id": text(identifier), "name": text(name_of(record))}
    described = record.text(DCT_DESCRIPTION)
    if described is not None:
        given["description"] = text(described)
    published = record.date(made) or created
    return out.write(
        REPORT,
        identifier,
        modified,
        {
            **given,
            "report_types": _THREAT_REPORT,
            "labels": texts([kind]),
            "published": out.any_time(published),
            "object_refs": joined([text(r) for r in sorted(set(refs))]),
            "created_by_ref": text(actors.identity_ref(author)) if author else BY_PRODUCER,
            "object_marking_refs": MARKINGS,
            "external_references": references(record, *(cited or ())),
            "created": out.times(created),
            "modified": out.times(modified),
        },
    )
