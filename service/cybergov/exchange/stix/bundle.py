"""The STIX 2.1 export of a graph selection: every record as STIX objects, in one bundle.

The bundle holds the producer's identity and the licence's marking definition, then every
object in the order of its identifier, so that two exports of the same data are the same
bytes. ``since`` keeps the objects modified at or after a time (a partner's update).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from stix2.serialization import STIXJSONEncoder

from cybergov.errors import QueryParameterError
from cybergov.exchange.collection import paused_collection
from cybergov.exchange.stix import objects, relations
from cybergov.exchange.stix.common import LICENCE, PRODUCER
from cybergov.exchange.stix.ids import stix_id
from cybergov.exchange.stix.objects import References
from cybergov.exchange.stix.records import CURATED, Reading, Record, parse_time, selected_graphs
from cybergov.exchange.stix.written import Writer, Written
from cybergov.exchange.version import graph_version
from cybergov.execution import QueryRunner

MEDIA_TYPE = "application/stix+json;version=2.1"
_LINKS = ("OperatorLink", "OrganLink", "SponsorshipLink")
_AUTHOR_PROPERTIES = ("attributedBy", "respondent", "statedBy")
#: The objects every export starts with: the producer's identity and the licence.
_ALWAYS = 2


@dataclass(frozen=True)
class StixExport:
    """The STIX objects of one selection of one graph version, each written as JSON text
    (``items``): ``objects`` are they built by the library, ``json()`` the bundle."""

    selection: str
    version: str
    items: list[Written]
    since: datetime | None = None

    @cached_property
    def objects(self) -> list[Any]:
        """Every object built and checked by the ``stix2`` library."""
        with paused_collection():
            return [item.build() for item in self.items]

    @property
    def bundle_id(self) -> str:
        """The bundle's identifier: the same for the same selection, version and ``since``."""
        since = self.since.isoformat() if self.since else ""
        return stix_id("bundle", self.selection, self.version, since)

    def modified_since(self, moment: datetime) -> StixExport:
        """The objects modified at or after ``moment`` (the producer and the licence always)."""
        kept = [d for i, d in enumerate(self.items) if i < _ALWAYS or d.modified >= moment]
        return StixExport(self.selection, self.version, kept, moment)

    def json(self, *, check_each: bool = False) -> str:
        """The bundle as JSON text, as the library's own encoder writes it: each object's
        text as the export wrote it (``stix/written.py``), or, when ``check_each``, each
        object built by the library and written by its encoder (the same text)."""
        if check_each:
            with paused_collection():
                body = {"type": "bundle", "id": self.bundle_id, "objects": self.objects}
                return json.dumps(body, cls=STIXJSONEncoder, ensure_ascii=False)
        return self.body().decode("utf-8")

    def body(self) -> bytes:
        """The bundle's JSON text in UTF-8, as :meth:`json` writes it (the whole text is
        never held as one string)."""
        head = json.dumps({"type": "bundle", "id": self.bundle_id, "objects": []})
        # each object's text encoded on its own, and joined once with the head and the end
        texts = [item.text.encode("utf-8") for item in self.items]
        texts[0] = head[:-2].encode() + texts[0]
        texts[-1] += b"]}"
        return b", ".join(texts)


def export_stix(
    runner: QueryRunner,
    *,
    graph: str = CURATED,
    since: datetime | None = None,
    now: datetime | None = None,
) -> StixExport:
    """The STIX objects of the records of ``graph`` (``curated`` or one named graph's IRI),
    those modified at or after ``since`` only when it is given; read through ``runner``.

    Raises:
        ResourceNotFound: the store holds no such graph.
        ExportError: an answer was cut.
        QueryTimeout: a query ran past the runner's deadline.
        StoreError: the store failed.
    """
    with paused_collection():
        return _export(runner, graph, since, now or datetime.now(UTC))


def _export(
    runner: QueryRunner, graph: str, since: datetime | None, moment: datetime
) -> StixExport:
    version = graph_version(runner.store)
    graphs = selected_graphs(runner.store, graph)
    # as many queries at once as the runner has workers: they are answered in the order sent
    readers = max(2, runner.settings.query_workers)
    out = Writer()
    found: dict[str, Written] = {}
    with ThreadPoolExecutor(max_workers=readers, thread_name_prefix="stix") as pool:
        first = relations.ATTRIBUTION_PROPERTIES
        reading = Reading.start(runner, graphs, pool, first=first)
        records = reading.records(read=first)
        actors = References(*reading.actors())
        ordered = sorted(records)
        # the attributions' objects, made while the workers answer the other properties
        for iri in ordered:
            record = records[iri]
            if record.is_a("Attribution") and not record.is_a("DerivedAttribution"):
                for made in relations.attribution(out, record, moment, actors):
                    found.setdefault(made.id, made)
        reading.read()
        aliases = reading.aliases()
    authors = {a for r in records.values() for a in r.iris(_AUTHOR_PROPERTIES)}
    for iri in ordered:
        record = records[iri]
        for made in _objects(out, record, moment, actors, records=records, aliases=aliases):
            found.setdefault(made.id, made)
        if iri in authors and actors.kind(iri) != "identity":
            made = objects.identity(out, record, moment)
            found.setdefault(made.id, made)
    export = StixExport(graph, version, [PRODUCER, LICENCE, *(found[k] for k in sorted(found))])
    return export if since is None else export.modified_since(since)


def parse_since(text: str) -> datetime:
    """A time given by a partner (``2024-05-01`` or ``2024-05-01T12:00:00Z``), as UTC.

    Raises:
        QueryParameterError: the text is not a date or a time.
    """
    try:
        return parse_time(text.strip())
    except ValueError:
        raise QueryParameterError(
            f"{text!r} is not a date (2024-05-01) or a time (2024-05-01T12:00:00Z)"
        ) from None


def _objects(
    out: Writer,
    record: Record,
    now: datetime,
    actors: References,
    *,
    records: dict[str, Record],
    aliases: dict[str, list[str]],
) -> Iterator[Written]:
    """The STIX objects of one record (none for what STIX has no object for), but for
    an attribution's, made before (see ``_export``)."""
    if record.is_a("Attribution"):
        return
    if any(record.is_a(k) for k in _LINKS):
        yield from relations.link(out, record, now, actors)
    elif record.is_a("Incident"):
        yield objects.incident(out, record, now)
        yield from relations.incident_links(out, record, now, actors)
    elif record.is_a("Response") or record.is_a("Listing"):
        build = relations.response if record.is_a("Response") else relations.listing
        report = build(out, record, now, actors, records)
        if report is not None:
            yield report
    elif record.is_a("Malware"):
        yield objects.malware(out, record, now)
    else:
        yield from _actor(out, record, now, actors, aliases)


def _actor(
    out: Writer, record: Record, now: datetime, actors: References, aliases: dict[str, list[str]]
) -> Iterator[Written]:
    if record.is_a("ThreatActorGroup"):
        yield objects.intrusion_set(out, record, now, aliases.get(record.iri, []))
    elif record.is_a("StateOrgan") and actors.kind(record.iri) == "threat-actor":
        yield objects.threat_actor(out, record, now)
    elif record.is_a("State"):
        yield objects.identity(out, record, now)
        yield from objects.country(out, record, now)
    elif record.is_a("Person"):
        yield objects.identity(out, record, now, individual=True)
    elif record.is_a("Actor") or record.is_a("Organisation"):
        yield objects.identity(out, record, now)
