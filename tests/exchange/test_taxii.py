"""TAXII 2.1 collections, filters and pages, without a server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cybergov.errors import QueryParameterError
from cybergov.exchange.taxii import Entry, Filters, collections, page

ONE = datetime(2024, 1, 1, tzinfo=UTC)
TWO = datetime(2024, 2, 1, tzinfo=UTC)


def entry(added: datetime, number: int, kind: str = "incident") -> Entry:
    identifier = f"{kind}--00000000-0000-5000-8000-{number:012d}"
    return Entry(added, identifier, added.isoformat(), "2.1", kind, {"id": identifier})


ITEMS = sorted(
    [entry(ONE, n) for n in range(5)] + [entry(TWO, n, "malware") for n in range(5, 8)],
    key=lambda e: (e.date_added, e.id),
)


def test_paging_goes_on_where_it_stopped_even_within_one_date_added():
    seen, after = [], None
    while True:
        chosen = page(ITEMS, limit=3, after=after)
        seen += chosen.items
        if not chosen.more:
            assert chosen.next is None
            break
        after = chosen.next
    assert seen == ITEMS
    first = page(ITEMS, limit=3, after=None)
    assert first.headers() == {
        "X-TAXII-Date-Added-First": "2024-01-01T00:00:00.000000Z",
        "X-TAXII-Date-Added-Last": "2024-01-01T00:00:00.000000Z",
    }


def test_filters_added_after_type_id_and_version():
    assert Filters.parse([("added_after", "2024-01-01T00:00:00Z")]).keep(ITEMS) == ITEMS[5:]
    assert Filters.parse([("match[type]", "malware,identity")]).keep(ITEMS) == ITEMS[5:]
    wanted = ITEMS[2].id
    assert Filters.parse([("match[id]", wanted)]).keep(ITEMS) == [ITEMS[2]]
    assert Filters.parse([("match[version]", "2024-02-01T00:00:00Z")]).keep(ITEMS) == ITEMS[5:]
    assert Filters.parse([("match[version]", "all")]).keep(ITEMS) == ITEMS


def test_bad_limits_and_next_values_are_refused():
    with pytest.raises(QueryParameterError, match="positive"):
        page(ITEMS, limit=0, after=None)
    with pytest.raises(QueryParameterError, match="next"):
        page(ITEMS, limit=2, after="not-ours")
    with pytest.raises(QueryParameterError, match="not a date"):
        Filters.parse([("added_after", "yesterday")])


def test_the_curated_collection_has_a_stable_identifier(loaded_store):
    (curated,) = collections(loaded_store)
    assert curated.graph == "curated"
    assert curated.id == collections(loaded_store)[0].id
    assert curated.resource()["can_write"] is False
