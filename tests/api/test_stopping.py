"""Stopping a real ``cybergov serve``: SIGTERM ends the queries in flight at once and then the
server, and no checkpoint folder stays beside an on-disk store; those a killed server left are
swept when the next one starts.

"At once" is held against the query deadline of the server under test (60 s): a server that
waited for its queries would answer after that deadline. The seconds a stop takes on an idle
machine (under 2 s) are a figure of ``benchmarks/stopping.py``, not an assertion here, since
the test machines are shared and a busy one may take a few seconds to schedule the processes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.servers import cybergov_service
from benchmarks.stopping import QUERY_SECONDS, stop_during_a_query

from tests.conftest import copy_of_loaded

#: Far below :data:`QUERY_SECONDS`: a stop that waited for the queries in flight takes longer.
AT_ONCE = 15.0
#: The query deadline of the servers under test.
DEADLINE = {"query_timeout": str(QUERY_SECONDS)}

pytestmark = [pytest.mark.server, pytest.mark.slow]


def checkpoints(store: Path) -> list[str]:
    return sorted(p.name for p in store.parent.iterdir() if p.name.startswith(".replica-"))


def test_sigterm_ends_queries_in_flight_and_then_the_server(tmp_path, loaded_folder):
    store = copy_of_loaded(loaded_folder, tmp_path / "db")
    left = tmp_path / ".replica-db-left-by-a-crash"
    (left / "store").mkdir(parents=True)
    unrelated = tmp_path / ".replica-another-store-x"
    unrelated.mkdir()
    with cybergov_service("--store", str(store), settings=DEADLINE) as (base, process):
        assert left.name not in checkpoints(store)  # swept on start
        assert len(checkpoints(store)) == 2  # the running server's own, and the other store's
        stop = stop_during_a_query(base, process)
    assert stop.exited < AT_ONCE, f"the server took {stop.exited:.2f} s to stop"
    assert stop.answer is not None and stop.answer.status_code == 503
    assert stop.answer.json()["error"] == "service_stopping"
    assert checkpoints(store) == [unrelated.name]


def test_sigterm_ends_queries_in_flight_with_several_server_processes():
    with cybergov_service("--workers", "2", settings=DEADLINE) as (base, process):
        stop = stop_during_a_query(base, process)
    assert stop.answer is not None and stop.answer.status_code == 503
    assert stop.answer.json()["error"] == "service_stopping"
    assert stop.answered < AT_ONCE, f"the query was answered {stop.answered:.2f} s after the signal"
