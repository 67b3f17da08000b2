"""An import runs with the cyclic garbage collector paused, and leaves it as it found it."""

from __future__ import annotations

import gc
from datetime import date
from pathlib import Path

import pytest

from cybergov.contribute.staging import scratch_copy
from cybergov.importers.cfr import CfrImporter
from cybergov.importers.context import ImportContext
from cybergov.importers.model import Batch, Progress
from cybergov.importers.run import run_import
from cybergov.store.embedded import EmbeddedStore
from tests.importers.conftest import CFR_FIXTURE


class _Watching(CfrImporter):
    """The CFR importer, noting whether the collector runs while it reads."""

    collecting: list[bool]

    def read(self, path: Path, context: ImportContext, progress: Progress | None = None) -> Batch:
        self.collecting.append(gc.isenabled())
        return super().read(path, context, progress)


@pytest.mark.parametrize("enabled", [True, False])
def test_an_import_pauses_the_collector_and_leaves_it_as_it_was(
    loaded_store: EmbeddedStore, enabled: bool
) -> None:
    importer = _Watching()
    importer.collecting = []
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        report = run_import(
            scratch_copy(loaded_store), importer, CFR_FIXTURE, name="gc", as_of=date(2025, 6, 1)
        )
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
    assert importer.collecting == [False]
    assert report.status == "imported"
