"""Fixtures of the HTTP service: an app on the session's loaded store, and real servers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from benchmarks.servers import cybergov_service
from fastapi.testclient import TestClient

from cybergov.api import create_app
from cybergov.contribute.staging import scratch_copy
from cybergov.settings import Settings
from cybergov.store import EmbeddedStore

FIXTURES = Path(__file__).parent / "fixtures"
#: Seconds a request to a real server may take: generous, since the machine may be busy (the
#: first request to a new server writes its dumps), but never unbounded.
HTTP_TIMEOUT = 60.0


class IsolatedSettings(Settings):
    """Settings from the given values only, whatever the environment of the test machine."""

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, **sources):  # type: ignore[override]
        return (init_settings,)


def settings(**values: object) -> Settings:
    return IsolatedSettings(**values)


def fresh_loaded_store(loaded_store: EmbeddedStore) -> EmbeddedStore:
    """A store of its own with the bundled graph and inferences, for tests that write to it:
    a copy of the session's loaded store (every graph), not a second load of the files."""
    return scratch_copy(loaded_store)


@contextmanager
def service_client(
    store: EmbeddedStore, dumps: Path, *, raise_server_exceptions: bool = True, **values: object
) -> Iterator[TestClient]:
    """A test client of the service over ``store``, with its dumps in ``dumps``, one query
    worker unless ``values`` say otherwise, and the other settings of ``values``."""
    app = create_app(settings(**{"dump_dir": dumps, "query_workers": 1, **values}), store=store)
    with TestClient(app, raise_server_exceptions=raise_server_exceptions) as test_client:
        yield test_client


@contextmanager
def hostile_client(
    loaded_store: EmbeddedStore, dumps: Path, contributor: str, **values: object
) -> Iterator[TestClient]:
    """A test client for malformed and hostile requests: over a store of its own (accepted
    contributions write to it), a server error answered as a response, not raised, and one
    contributor (``contributor``, ``name=token``); ``values`` are further settings."""
    with service_client(
        fresh_loaded_store(loaded_store),
        dumps,
        raise_server_exceptions=False,
        contributor_tokens=contributor,
        **values,
    ) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def client(loaded_store, runner, tmp_path_factory) -> Iterator[TestClient]:
    """A test client of the service over the bundled data (which no test may change)."""
    app = create_app(
        settings(dump_dir=tmp_path_factory.mktemp("dumps"), query_timeout=20),
        store=loaded_store,
        runner=runner,
    )
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """A real ``cybergov serve`` process, shared by the server tests."""
    with cybergov_service() as (base, _):
        yield base
