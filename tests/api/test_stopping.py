"""Stopping a real ``cybergov serve``: SIGTERM ends the queries in flight at once and then the
server, and no checkpoint folder stays beside an on-disk store; those a killed server left are
swept when the next one starts.

"At once" is held against the query deadline of the server under test (60 s): a server that
waited for its queries would answer after that deadline. The seconds a stop takes on an idle
machine (under 2 s) are a figure of ``benchmarks/stopping.py``, not an assertion here, since
the test machines are shared and a busy one may take a few seconds to schedule the processes.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import HTTP_TIMEOUT, clean_environment, cybergov_command
from tests.conftest import copy_of_loaded
from tests.servers import free_port

#: The query deadline of the servers under test.
QUERY_SECONDS = 60
#: Far below :data:`QUERY_SECONDS`: a stop that waited for the queries in flight takes longer.
AT_ONCE = 15.0
#: A query no engine finishes on the bundled graph within the deadline.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"

pytestmark = [pytest.mark.server, pytest.mark.slow]


def start(store: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [*cybergov_command(), "serve", "--port", str(port), "--store", str(store)],
        env=clean_environment(CYBERGOV_QUERY_TIMEOUT=str(QUERY_SECONDS)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "cybergov serve exited"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError("cybergov serve did not become ready in time")


def checkpoints(store: Path) -> list[str]:
    return sorted(p.name for p in store.parent.iterdir() if p.name.startswith(".replica-"))


def test_sigterm_ends_queries_in_flight_and_then_the_server(tmp_path, loaded_folder):
    store, port = copy_of_loaded(loaded_folder, tmp_path / "db"), free_port()
    left = tmp_path / ".replica-db-left-by-a-crash"
    (left / "store").mkdir(parents=True)
    unrelated = tmp_path / ".replica-another-store-x"
    unrelated.mkdir()
    process = start(store, port)
    try:
        assert left.name not in checkpoints(store)  # swept on start
        assert len(checkpoints(store)) == 2  # the running server's own, and the other store's
        answers: list[httpx.Response] = []

        def ask() -> None:
            answers.append(
                httpx.post(
                    f"http://127.0.0.1:{port}/sparql", data={"query": ENDLESS}, timeout=HTTP_TIMEOUT
                )
            )

        asking = threading.Thread(target=ask)
        asking.start()
        time.sleep(1.5)  # the query is running in a worker
        stopped = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        took = time.monotonic() - stopped
        asking.join(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert took < AT_ONCE, f"the server took {took:.2f} s to stop"
    assert answers and answers[0].status_code == 503
    assert answers[0].json()["error"] == "service_stopping"
    assert checkpoints(store) == [unrelated.name]


def test_sigterm_ends_queries_in_flight_with_several_server_processes(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [*cybergov_command(), "serve", "--port", str(port), "--workers", "2"],
        env=clean_environment(
            CYBERGOV_QUERY_TIMEOUT=str(QUERY_SECONDS), CYBERGOV_DUMP_DIR=str(tmp_path)
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, "cybergov serve exited"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "cybergov serve did not become ready in time"
            time.sleep(0.2)
        answered: list[tuple[httpx.Response, float]] = []

        def ask() -> None:
            response = httpx.post(
                f"http://127.0.0.1:{port}/sparql", data={"query": ENDLESS}, timeout=HTTP_TIMEOUT
            )
            answered.append((response, time.monotonic()))

        asking = threading.Thread(target=ask)
        asking.start()
        time.sleep(1.5)
        stopped = time.monotonic()
        process.send_signal(signal.SIGTERM)
        asking.join(timeout=30)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    response, at = answered[0]
    assert response.status_code == 503 and response.json()["error"] == "service_stopping"
    assert at - stopped < AT_ONCE, f"the query was answered {at - stopped:.2f} s after the signal"
