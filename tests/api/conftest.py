"""Fixtures of the HTTP service: an app on the session's loaded store, and real servers."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from cybergov.api import create_app
from cybergov.contribute.staging import scratch_copy
from cybergov.settings import Settings
from cybergov.store import EmbeddedStore
from tests.servers import free_port, stop_process

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


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without any CYBERGOV_ setting, plus ``extra``."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("CYBERGOV_")}
    return {**kept, **extra}


def cybergov_command() -> list[str]:
    script = Path(sys.executable).with_name("cybergov")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cybergov"]


@contextmanager
def running_server(
    *arguments: str, environment: dict[str, str] | None = None, timeout: float = 60
) -> Iterator[str]:
    """Start ``cybergov serve`` on a free port of 127.0.0.1; yield its base URL; stop it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # The server's log goes to a file: a pipe nobody reads would fill up and stop the server.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [*cybergov_command(), "serve", "--port", str(port), *arguments],
            env=environment or clean_environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    output = log.read().decode(errors="replace")
                    raise AssertionError(
                        f"cybergov serve exited with {process.returncode}:\n{output}"
                    )
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError("cybergov serve did not become ready in time")
                time.sleep(0.2)
            yield base
        finally:
            stop_process(process, 20)


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """A real ``cybergov serve`` process, shared by the server tests."""
    with running_server() as base:
        yield base
