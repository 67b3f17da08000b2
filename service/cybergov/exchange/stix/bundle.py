"""The STIX 2.1 export of a graph selection: every record as STIX objects, in one bundle.

The bundle holds the producer's identity and the licence's marking definition, then every
object in the order of its identifier, so that two exports of the same data are the same
bytes. ``since`` keeps the objects modified at or after a time (a partner's update).

The objects are made in steps (``_Making``): each attribution's first, while the query
workers still answer, then each record's others. Once every answer is read, a process
that may fork has a child make the last part of the steps (``stix/apart.py``), when there
is work enough for two; the first object made of an identifier is kept, in the order of
the steps, so the bundle is the same bytes either way.
"""

from __future__ import annotations

import json
import logging
import os
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property, partial
from itertools import accumulate
from typing import Any, NamedTuple

from stix2.serialization import STIXJSONEncoder

from cybergov.errors import ExportError, QueryParameterError
from cybergov.exchange.collection import paused_collection
from cybergov.exchange.stix import apart, objects, relations
from cybergov.exchange.stix.common import LICENCE, PRODUCER, common
from cybergov.exchange.stix.ids import stix_id
from cybergov.exchange.stix.objects import References
from cybergov.exchange.stix.records import (
    CURATED,
    Reading,
    Record,
    Table,
    parse_time,
    selected_graphs,
)
from cybergov.exchange.stix.written import Writer, Written
from cybergov.exchange.version import graph_version
from cybergov.execution import QueryRunner

log = logging.getLogger(__name__)

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
    found: dict[str, Written] = {}
    with ThreadPoolExecutor(max_workers=readers, thread_name_prefix="stix") as pool:
        first = relations.ATTRIBUTION_PROPERTIES
        reading = Reading.start(runner, graphs, pool, first=first)
        records = reading.records(read=first)
        making = _Making.of(records, moment, References(*reading.actors()))
        # the attributions' objects, made while the workers answer the other properties
        done, attributions = 0, len(making.attributions)
        while done < attributions and not reading.read_answered():
            _keep(found, making.made(done, min(done + _BATCH, attributions)))
            done = min(done + _BATCH, attributions)
        reading.read()
        making.aliases = reading.aliases()
    making.authors = _authors(reading.tables, records)
    _make_rest(making, done, found)
    export = StixExport(graph, version, [PRODUCER, LICENCE, *(found[k] for k in sorted(found))])
    return export if since is None else export.modified_since(since)


#: How many attributions are made between two looks at the workers' answers.
_BATCH = 256
#: The work (see ``_WEIGHTS``) worth a second process making part of it (some 0.15 s).
APART_FROM = 15_000
#: About how long the objects of a record take to make, by its role, in 10 µs (as measured;
#: 2 for any role not named): an attribution's (``attributed``), and the others'.
_ATTRIBUTED = 4
_WEIGHTS = {"attribution": 0, "derived": 0, "": 0, "incident": 5}
#: The share of the work made here: the child also writes its objects out for this process.
_HERE = 0.53


def _keep(found: dict[str, Written], made: Iterable[Written]) -> None:
    """Keep the first object made of each identifier."""
    for item in made:
        found.setdefault(item.id, item)


def _make_rest(making: _Making, done: int, found: dict[str, Written]) -> None:
    """Make the objects of the steps from ``done`` on into ``found``: the last part by a
    forked child (``stix/apart.py``) when there is work enough for two, a second processor,
    and this process may fork. The child's objects are kept after this process's, as one
    process keeps them."""
    steps = making.steps()
    split = _split(making, done)
    child = None
    if split < steps and processors() > 1:
        child = apart.start(partial(_listed, making, split, steps))
    if child is None:
        _keep(found, making.made(done, steps))
        return
    try:
        _keep(found, making.made(done, split))
        try:
            theirs: Iterable[Written] = child.collect()
        except ExportError:
            log.warning("a forked process failed to make objects: made here", exc_info=True)
            theirs = making.made(split, steps)
        _keep(found, theirs)
    finally:
        child.cancel()


def processors() -> int:
    """How many processors this process may run on (a child on the same one gains nothing)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _listed(making: _Making, start: int, end: int) -> list[Written]:
    return list(making.made(start, end))


def _split(making: _Making, done: int) -> int:
    """Where the steps from ``done`` on are cut for two processes to make their part in
    about the same time (the number of steps when there is too little work for two)."""
    weights = [_ATTRIBUTED] * (len(making.attributions) - done)
    weights += [_WEIGHTS.get(role.what, 2) for role in making.roles]
    total = sum(weights)
    if total < APART_FROM:
        return making.steps()
    return done + bisect_left(list(accumulate(weights)), total * _HERE) + 1


@dataclass
class _Making:
    """The objects of an export's records, made in steps: first each attribution's
    objects (``attributions``), then each record's others (``ordered``, with their
    ``roles``), so that the first object made of an identifier is the one kept."""

    out: Writer
    now: datetime
    actors: References
    records: dict[str, Record]
    ordered: list[Record]
    roles: list[Role]
    attributions: list[Record]
    aliases: dict[str, list[str]] = field(default_factory=dict)
    authors: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, records: dict[str, Record], now: datetime, actors: References) -> _Making:
        ordered = [records[iri] for iri in sorted(records)]
        roles = _roles(ordered)
        attributions = [
            r for r, role in zip(ordered, roles, strict=True) if role.what == "attribution"
        ]
        return cls(Writer(), now, actors, records, ordered, roles, attributions)

    def steps(self) -> int:
        return len(self.attributions) + len(self.ordered)

    def made(self, start: int, end: int) -> Iterator[Written]:
        """The objects of the steps from ``start`` to ``end`` (not included), in order."""
        out, now, actors = self.out, self.now, self.actors
        for record in self.attributions[start:end]:
            yield from relations.attribution(out, record, now, actors)
        first = len(self.attributions)
        for i in range(max(start, first) - first, end - first):
            record = self.ordered[i]
            yield from _objects(
                out, record, self.roles[i], now, actors, records=self.records, aliases=self.aliases
            )
            if record.iri in self.authors and actors.kind(record.iri) != "identity":
                yield objects.identity(out, record, now)


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


class Role(NamedTuple):
    """What a record is made into, from its classes: ``what`` (``attribution``, ``link``,
    ``incident``, ``response``, ``listing``, ``malware``, ``group``, ``state``, ``person``,
    ``identity``; ``derived`` for an attribution a rule derived, and ``""``: nothing), and
    whether it is a state organ (a threat actor when one acts as such, see ``References``)."""

    what: str
    organ: bool


def _role(record: Record) -> Role:
    organ = record.is_a("StateOrgan")
    if record.is_a("Attribution"):
        return Role("derived" if record.is_a("DerivedAttribution") else "attribution", organ)
    for what, classes in _ROLE_CLASSES:
        if any(record.is_a(k) for k in classes):
            return Role(what, organ)
    return Role("", organ)


_ROLE_CLASSES = (
    ("link", _LINKS),
    ("incident", ("Incident",)),
    ("response", ("Response",)),
    ("listing", ("Listing",)),
    ("malware", ("Malware",)),
    ("group", ("ThreatActorGroup",)),
    ("state", ("State",)),
    ("person", ("Person",)),
    ("identity", ("Actor", "Organisation")),
)


def _roles(records: list[Record]) -> list[Role]:
    """The role of each record, told once for each set of classes (records share them)."""
    by_types: dict[frozenset[str], Role] = {}
    roles = []
    for record in records:
        role = by_types.get(record.types)
        if role is None:
            role = by_types[record.types] = _role(record)
        roles.append(role)
    return roles


def _authors(tables: Mapping[str, Table], records: Mapping[str, Record]) -> set[str]:
    """The IRIs a record names as who attributed, responded or stated (``Record.iris`` of
    ``_AUTHOR_PROPERTIES`` of every record), read from the tables whole."""
    authors = set()
    for prop in _AUTHOR_PROPERTIES:
        for subject, found in tables[prop].items():
            if subject[0] == "<" and subject[1:-1] in records:
                for token in (found,) if type(found) is str else found:
                    if token[0] == "<":
                        authors.add(token[1:-1])
    return authors


def _objects(
    out: Writer,
    record: Record,
    role: Role,
    now: datetime,
    actors: References,
    *,
    records: dict[str, Record],
    aliases: dict[str, list[str]],
) -> Iterator[Written]:
    """The STIX objects of one record (none for what STIX has no object for), but for
    an attribution's, made before (see ``_export``)."""
    what = role.what
    if what in ("attribution", "derived"):
        return
    if what == "link":
        yield from relations.link(out, record, now, actors)
    elif what == "incident":
        stamped = common(out, record, now)  # both objects share it
        yield objects.incident(out, record, stamped)
        yield from relations.incident_links(out, record, actors, stamped)
    elif what in ("response", "listing"):
        build = relations.response if what == "response" else relations.listing
        report = build(out, record, now, actors, records)
        if report is not None:
            yield report
    elif what == "malware":
        yield objects.malware(out, record, now)
    elif what == "group":
        yield objects.intrusion_set(out, record, now, aliases.get(record.iri, []))
    elif role.organ and actors.kind(record.iri) == "threat-actor":
        yield objects.threat_actor(out, record, now)
    elif what == "state":
        yield objects.identity(out, record, now)
        yield from objects.country(out, record, now)
    elif what == "person":
        yield objects.identity(out, record, now, individual=True)
    elif what == "identity":
        yield objects.identity(out, record, now)
