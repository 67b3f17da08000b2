"""An import validated in chunks finds what one pass over the whole import finds."""

from __future__ import annotations

from datetime import date

import pytest

from cybergov.contribute.staging import scratch_copy
from cybergov.importers import run
from cybergov.importers.cfr import CfrImporter
from cybergov.importers.run import run_import
from cybergov.store.embedded import EmbeddedStore
from tests.importers.conftest import CFR_FIXTURE


def _outcome(store: EmbeddedStore) -> tuple[object, ...]:
    report = run_import(store, CfrImporter(), CFR_FIXTURE, name="chunks", as_of=date(2025, 6, 1))
    graph = set(store.graph_triples(report.graph))
    return report.counts, sorted(map(repr, report.problems)), graph


def test_one_record_a_chunk_finds_what_one_chunk_finds(
    loaded_store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fixture's incidents point at a group made by another row of the file (Synthetic
    Panda) and at states and concepts of the store: a chunk of one record refuses nothing
    more (nor less) than the whole file at once, so each chunk's context holds every
    statement the shapes read about what its records point at."""

    whole = _outcome(scratch_copy(loaded_store))
    monkeypatch.setattr(run, "CHUNK", 1)
    assert _outcome(scratch_copy(loaded_store)) == whole
