"""A fresh copy of the loaded store for each test of the importers (imports write)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cybergov.contribute.staging import scratch_copy
from cybergov.settings import data_root
from cybergov.store.embedded import EmbeddedStore
from tests.conftest import FIXTURES

CFR_FIXTURE = FIXTURES / "importers" / "cfr-synthetic.csv"


@pytest.fixture
def store(loaded_store: EmbeddedStore) -> EmbeddedStore:
    return scratch_copy(loaded_store)


def shared_data(name: str) -> Path:
    """A folder of ../shared/data; the test is skipped only when that folder is absent."""
    folder = data_root().parent / "shared" / "data" / name
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    return folder
