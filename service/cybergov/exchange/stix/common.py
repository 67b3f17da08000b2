"""What every exported STIX object shares: the producer's identity, the markings (TLP:CLEAR
as STIX 2.1's TLP white, and the CC BY 4.0 licence as a statement), the references back to
the graph, and the mapping of our confidence levels to STIX's 0-100 scale."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from stix2 import TLP_WHITE, Identity, MarkingDefinition, StatementMarking

from cybergov.exchange.stix.ids import stix_id
from cybergov.exchange.stix.records import DCT_SOURCE, Record
from cybergov.exchange.stix.written import Kind, Writer, Written, joined, library_text, text
from cybergov.namespaces import BASE, CGR, shorten

LICENCE_STATEMENT = (
    "Copyright the cybergov maintainers. Licensed under the Creative Commons Attribution 4.0 "
    "International licence (CC BY 4.0), https://creativecommons.org/licenses/by/4.0/ ; aliases "
    "taken from MITRE ATT&CK are (c) The MITRE Corporation, reproduced under its terms of use."
)
#: When the producer's identity and the licence marking were first published.
PUBLISHED = datetime(2026, 12, 7, tzinfo=UTC)
#: Our confidence levels on STIX's 0-100 scale (STIX 2.1 appendix A, "None / Low / Med /
#: High": 15, 50 and 85 are the middles of its Low, Med and High bands); an attribution whose
#: confidence is not stated carries no ``confidence`` (STIX: unspecified).
CONFIDENCE_SCALE = {
    f"{CGR}confidence/high": 85,
    f"{CGR}confidence/moderate": 50,
    f"{CGR}confidence/low": 15,
}


def external_reference(
    source_name: str, url: str, external_id: str | None = None
) -> dict[str, str]:
    """An ``external-reference`` as the library writes it (its properties in the order of
    its class: ``source_name``, ``url``, ``external_id``)."""
    written = {"source_name": source_name, "url": url}
    if external_id:
        written["external_id"] = external_id
    return written


def _built(built: Any) -> Written:
    """An object the library built, changed last when it was first published."""
    return Written(built.id, Kind(type(built)), PUBLISHED, library_text(built))


PRODUCER = _built(
    Identity(
        id=stix_id("identity", BASE),
        name="cybergov",
        description="The knowledge graph of cyberspace governance: incidents, attributions "
        "and the responses to them, each with its public source.",
        identity_class="organization",
        created=PUBLISHED,
        modified=PUBLISHED,
        external_references=[external_reference("cybergov", BASE)],
    )
)
LICENCE = _built(
    MarkingDefinition(
        id=stix_id("marking-definition", "https://creativecommons.org/licenses/by/4.0/"),
        name="CC BY 4.0",
        created=PUBLISHED,
        created_by_ref=PRODUCER.id,
        definition_type="statement",
        definition=StatementMarking(statement=LICENCE_STATEMENT),
    )
)
#: ``object_marking_refs`` and the producer as ``created_by_ref``, as JSON text.
MARKINGS = joined([text(TLP_WHITE.id), text(LICENCE.id)])
BY_PRODUCER = text(PRODUCER.id)


def local_name(iri: str) -> str:
    """The last segment of an IRI (``political`` for ``.../attribution-basis/political``)."""
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@lru_cache(maxsize=4096)
def local_names(iris: tuple[str, ...]) -> str:
    """The local names of concepts (sectors, kinds, bases) as JSON text, written once for
    every object that names the same ones."""
    return joined([text(local_name(iri)) for iri in iris])


def names_of(out: Writer, record: Record, prop: str) -> str | None:
    """The local names of the record's values of ``prop`` (:func:`local_names`), or ``None``
    when it has none; for a record with one value, looked up by that value's term (written
    once per export: many records name the same concept)."""
    value = record.raw(prop)
    if value is None:
        return None
    if type(value) is not str:  # a list: of one term, where other records have several
        if len(value) != 1:
            return local_names(tuple(record.all(prop)))
        value = value[0]
    found = out.names.get(value)
    if found is None:
        found = out.names[value] = local_names(tuple(record.all(prop)))
    return found


def add_names(out: Writer, record: Record, given: dict[str, str], names: dict[str, str]) -> None:
    """Add to ``given`` each property of ``names`` (the object's, by the record's) of which
    the record has values, as their local names (:func:`names_of`)."""
    for name, prop in names.items():
        found = names_of(out, record, prop)
        if found is not None:
            given[name] = found


def references(record: Record, *cited: str) -> str:
    """The record's IRI (the way back to the graph), each public source it names, and the
    references ``cited`` (JSON text), as JSON text."""
    own = own_reference(record.iri, record.short)
    sources = record.all(DCT_SOURCE)
    if not sources and not cited:
        return "[" + own + "]"
    return joined([own, *map(source_reference, sources), *cited])


def _reference(source_name: str, url: str, external_id: str | None = None) -> str:
    """An ``external-reference`` as JSON text (see :func:`external_reference`)."""
    written = '{"source_name": ' + text(source_name) + ', "url": ' + text(url)
    return written + (', "external_id": ' + text(external_id) + "}" if external_id else "}")


def own_reference(iri: str, short: str = "") -> str:
    """The reference to the resource itself (a record's own: written once per record), its
    IRI shortened unless given so (``short``)."""
    return _reference("cybergov", iri, short or shorten(iri))


@lru_cache(maxsize=65536)
def source_reference(url: str) -> str:
    """The reference to a public source, written once: many records cite the same page."""
    return _reference("source", url)


@lru_cache(maxsize=65536)
def legal_reference(act: str) -> str:
    """The reference to a legal act a response rests on, written once."""
    return _reference("legal-basis", act, shorten(act))


def times(record: Record, now: datetime, *, made: str | None = None) -> tuple[datetime, datetime]:
    """``created`` and ``modified``: the record's own date (``made``) when it has one and it
    is not later than the record's last change, else the time of that change."""
    modified = record.modified or now
    created = record.date(made) if made else None
    if created is None or created > modified:
        created = modified
    return created, modified


def stamps(
    out: Writer, record: Record, now: datetime, *, made: str | None = None
) -> tuple[datetime, str, str]:
    """The time of the record's last change, and ``created`` and ``modified`` (:func:`times`)
    as JSON text: written once per export for the same date and time of change (many
    records share both)."""
    value = record.raw(made) if made else None
    if isinstance(value, list):
        if len(value) != 1:  # several dates: the least is the record's (``Record.first``)
            created, modified = times(record, now, made=made)
            return modified, out.times(created), out.times(modified)
        value = value[0]
    key = (value, record.modified)
    found = out.stamps.get(key)
    if found is None:
        created, modified = times(record, now, made=made)
        found = out.stamps[key] = (modified, out.times(created), out.times(modified))
    return found


def common(
    out: Writer, record: Record, now: datetime, *, made: str | None = None
) -> tuple[datetime, dict[str, str]]:
    """The time of the record's last change, and the properties (JSON text) every object
    made from it has."""
    modified, created_text, modified_text = stamps(out, record, now, made=made)
    return modified, {
        "created_by_ref": BY_PRODUCER,
        "object_marking_refs": MARKINGS,
        "external_references": references(record),
        "created": created_text,
        "modified": modified_text,
    }
