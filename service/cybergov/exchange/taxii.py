"""TAXII 2.1 collections of the graph's STIX objects, read-only: what each collection
holds, and the filters and pages of the specification (OASIS TAXII 2.1, sections 3.4-3.6
and 5).

There is one collection for the curated graph and one for each import's graph. An object
is added to a collection when the graph it comes from is written (the record's
``modified``): ``date_added`` and the object's version are that time, and a collection
holds one version of each object, the current one. Objects are ordered by ``date_added``,
then by identifier; the ``next`` of a page names the last object given, so that paging
goes on where it stopped even when the graph changes between two requests.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cybergov.errors import QueryParameterError
from cybergov.exchange.stix import (
    CURATED,
    IMPORT_GRAPH_PREFIX,
    MEDIA_TYPE,
    STIX_NAMESPACE,
    StixExport,
    import_graphs,
    parse_since,
)
from cybergov.namespaces import KG_GRAPH_PREFIX
from cybergov.store.base import Store

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
#: The most objects one page holds, and the page size when a client gives none.
MAX_PAGE = 1000


@dataclass(frozen=True, slots=True)
class Collection:
    """One TAXII collection: the STIX objects of one graph selection."""

    id: str
    graph: str
    title: str
    description: str

    def resource(self) -> dict[str, Any]:
        """The collection resource (TAXII 2.1, section 5.2.1)."""
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "can_read": True,
            "can_write": False,
            "media_types": [MEDIA_TYPE],
        }


def collections(store: Store) -> list[Collection]:
    """The curated graph's collection, then one per import's graph.

    Raises:
        StoreError: the store failed.
    """
    found = [
        Collection(
            str(uuid.uuid5(STIX_NAMESPACE, KG_GRAPH_PREFIX)),
            CURATED,
            "cybergov: the curated graph",
            "Actors, threat-actor groups, incidents, malware, attributions (by their "
            "attributors), responses and sanctions listings of the curated graph, each with "
            "its public sources.",
        )
    ]
    for graph in import_graphs(store):
        name = graph.removeprefix(IMPORT_GRAPH_PREFIX)
        found.append(
            Collection(
                str(uuid.uuid5(STIX_NAMESPACE, graph)),
                graph,
                f"cybergov import: {name}",
                f"The records of the imported graph {graph}.",
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class Entry:
    """One object of a collection, with when it was added and its version."""

    date_added: datetime
    id: str
    version: str
    spec_version: str
    type: str
    body: dict[str, Any]

    def manifest(self) -> dict[str, Any]:
        """The manifest record of the object (TAXII 2.1, section 5.3.1)."""
        return {
            "id": self.id,
            "date_added": timestamp(self.date_added),
            "version": self.version,
            "media_type": MEDIA_TYPE,
        }


def timestamp(moment: datetime) -> str:
    """A TAXII timestamp: UTC, with microseconds."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entries(export: StixExport) -> list[Entry]:
    """The objects of an export as collection entries, in the order of the collection."""
    found = []
    bodies = json.loads(export.json())["objects"]
    for item, body in zip(export.items, bodies, strict=True):
        version = body.get("modified", body["created"])
        found.append(Entry(item.modified, item.id, version, "2.1", item.type, body))
    return sorted(found, key=lambda e: (e.date_added, e.id))


@dataclass(frozen=True, slots=True)
class Filters:
    """The filters of a request (TAXII 2.1, section 3.6): ``added_after`` and ``match[...]``."""

    added_after: datetime | None = None
    ids: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    versions: frozenset[str] = frozenset({"last"})
    spec_versions: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, parameters: Iterable[tuple[str, str]]) -> Filters:
        """The filters of a query string's parameters (``match[type]=a,b`` and so on).

        Raises:
            QueryParameterError: ``added_after`` is not a time.
        """
        given: dict[str, set[str]] = {}
        added_after = None
        for name, value in parameters:
            if name == "added_after":
                added_after = parse_since(value)
            elif name.startswith("match[") and name.endswith("]"):
                values = {v.strip() for v in value.split(",") if v.strip()}
                given.setdefault(name[6:-1], set()).update(values)
        return cls(
            added_after,
            frozenset(given.get("id", ())),
            frozenset(given.get("type", ())),
            frozenset(given.get("version", ())) or frozenset({"last"}),
            frozenset(given.get("spec_version", ())),
        )

    def keep(self, items: list[Entry]) -> list[Entry]:
        """The entries that pass every filter, in order. Each object has one version here,
        so ``first``, ``last`` and ``all`` keep it and a timestamp keeps it when it is its."""
        return [item for item in items if self._passes(item)]

    def _passes(self, item: Entry) -> bool:
        if self.added_after is not None and item.date_added <= self.added_after:
            return False
        if (self.ids and item.id not in self.ids) or (self.types and item.type not in self.types):
            return False
        if self.spec_versions and item.spec_version not in self.spec_versions:
            return False
        named = self.versions - {"first", "last", "all"}
        if named and not self.versions & {"first", "last", "all"}:
            return any(_same_time(item.version, v) for v in named)
        return True


def _same_time(version: str, asked: str) -> bool:
    try:
        return parse_since(version) == parse_since(asked)
    except QueryParameterError:
        return False


@dataclass(frozen=True, slots=True)
class Page:
    """One page of entries: whether more follow, and the ``next`` that gives them."""

    items: list[Entry]
    more: bool
    next: str | None

    def headers(self) -> dict[str, str]:
        """``X-TAXII-Date-Added-First`` and ``-Last`` (TAXII 2.1, section 3.4.2)."""
        if not self.items:
            return {}
        return {
            "X-TAXII-Date-Added-First": timestamp(self.items[0].date_added),
            "X-TAXII-Date-Added-Last": timestamp(self.items[-1].date_added),
        }


def page(items: list[Entry], *, limit: int | None, after: str | None) -> Page:
    """The page of ``items`` that follows the ``next`` value ``after`` (from the start when
    it is ``None``), of at most ``limit`` entries (and at most :data:`MAX_PAGE`).

    Raises:
        QueryParameterError: ``limit`` is not positive, or ``after`` is not a ``next`` value
            this server gave.
    """
    if limit is not None and limit < 1:
        raise QueryParameterError(f"limit must be a positive number, not {limit}")
    size = min(limit or MAX_PAGE, MAX_PAGE)
    start = 0
    if after is not None:
        key = _read_next(after)
        start = next((i for i, e in enumerate(items) if (e.date_added, e.id) > key), len(items))
    chosen = items[start : start + size]
    more = start + size < len(items)
    return Page(chosen, more, _write_next(chosen[-1]) if more and chosen else None)


def _write_next(last: Entry) -> str:
    text = f"{timestamp(last.date_added)} {last.id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _read_next(value: str) -> tuple[datetime, str]:
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        moment, identifier = text.split(" ", 1)
        return parse_since(moment), identifier
    except (ValueError, binascii.Error, QueryParameterError):
        raise QueryParameterError(
            f"{value!r} is not a 'next' value this server gave: start again without it"
        ) from None
