"""The one rule of opening a store ready for use, case by case (see cybergov.knowledge.ready)."""

from __future__ import annotations

import pytest

from cybergov.errors import SettingsError, StoreError
from cybergov.knowledge.ready import Use, open_ready
from cybergov.settings import Settings
from cybergov.store import EmbeddedStore
from cybergov.store.remote import RemoteStore
from tests.servers import OxigraphServer


@pytest.mark.parametrize("use", list(Use))
def test_a_store_in_memory_is_always_loaded(use):
    ready = open_ready(Settings(), use)
    assert isinstance(ready.store, EmbeddedStore) and ready.store.path is None
    assert ready.report is not None and ready.report.loaded
    assert len(ready.store) == ready.report.quads > 0


@pytest.mark.parametrize("use", [Use.READ, Use.SERVE])
def test_a_missing_folder_is_refused_when_only_read_and_left_uncreated(tmp_path, use):
    folder = tmp_path / "store"
    settings = Settings(store=folder, read_only=use is Use.SERVE)
    with pytest.raises(StoreError, match=f"cybergov load --store {folder}"):
        open_ready(settings, use)
    assert not folder.exists()


def test_an_empty_store_read_as_it_is_is_refused(tmp_path):
    folder = tmp_path / "store"
    EmbeddedStore(folder).close()
    with pytest.raises(StoreError, match="is empty"):
        open_ready(Settings(store=folder), Use.READ)


def test_loading_creates_the_store_then_reading_finds_it_as_it_was(tmp_path):
    folder = tmp_path / "store"
    loaded = open_ready(Settings(store=folder), Use.LOAD)
    assert loaded.report is not None and loaded.report.loaded
    quads = len(loaded.store)
    loaded.store.close()
    del loaded
    read = open_ready(Settings(store=folder), Use.READ)
    assert read.report is None, "a store read as it is is not loaded again"
    assert len(read.store) == quads
    read.store.close()
    del read
    served = open_ready(Settings(store=folder), Use.SERVE)
    assert served.report is not None and served.report.loaded == [], "nothing had changed"
    served.store.close()
    del served
    read_only = open_ready(Settings(store=folder, read_only=True), Use.SERVE)
    assert read_only.report is None
    assert isinstance(read_only.store, EmbeddedStore) and read_only.store.read_only


def test_a_read_only_store_is_never_loaded(tmp_path):
    with pytest.raises(SettingsError, match="read-only"):
        open_ready(Settings(store=tmp_path / "store", read_only=True), Use.LOAD)


def test_a_folder_and_an_endpoint_together_are_refused(tmp_path):
    settings = Settings(store=tmp_path / "store", endpoint="http://127.0.0.1:9/query")
    with pytest.raises(SettingsError, match="not both"):
        open_ready(settings, Use.READ)


@pytest.mark.server
def test_a_sparql_server_is_written_only_when_loading():
    with OxigraphServer() as server:
        settings = Settings(endpoint=server.query_endpoint)
        for use in (Use.READ, Use.SERVE):
            ready = open_ready(settings, use)
            assert isinstance(ready.store, RemoteStore) and ready.report is None
            assert len(ready.store) == 0, f"{use} wrote to the server"
        loaded = open_ready(settings, Use.LOAD)
        assert loaded.report is not None and len(loaded.store) == loaded.report.quads > 0
