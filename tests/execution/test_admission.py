"""Fair use of the query workers: ad-hoc SPARQL within its share, each client within its
budget (429 past it), and a queue with its own timeout (503 past it)."""

from __future__ import annotations

import threading
import time

import pytest

from cybergov.errors import QueueTimeout, QuotaExceeded
from cybergov.execution.admission import SPARQL, Admission, Fairness
from cybergov.execution.runner import QueryRunner, fairness_of
from cybergov.settings import Settings
from cybergov.store import EmbeddedStore


def admission(**given: float) -> Admission:
    limits = {
        "sparql_workers": 1,
        "client_queries": 1,
        "client_query_seconds": 30.0,
        "queue_timeout": 0.2,
        **given,
    }
    return Admission(Fairness(**limits))  # type: ignore[arg-type]


def test_a_client_runs_at_most_its_number_of_queries_at_once():
    gate = admission(sparql_workers=2)
    with gate.enter(SPARQL, "address:a"):
        with (
            pytest.raises(QuotaExceeded, match="at once") as refused,
            gate.enter(SPARQL, "address:a"),
        ):
            pass
        assert refused.value.retry_after >= 1
        with gate.enter(SPARQL, "address:b"):  # another client is not held back
            pass
    with gate.enter(SPARQL, "address:a"):  # and once its query ended, it may send another
        pass


def test_a_client_past_its_seconds_of_the_minute_is_told_when_to_come_back():
    gate = admission(client_query_seconds=0.05)
    with gate.enter(SPARQL, "address:a"):
        time.sleep(0.1)
    with (
        pytest.raises(QuotaExceeded, match="last minute") as refused,
        gate.enter(SPARQL, "address:a"),
    ):
        pass
    assert 1 <= refused.value.retry_after <= 60


def test_a_query_that_waits_past_the_queue_timeout_is_refused_and_questions_are_not():
    gate = admission()
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with gate.enter(SPARQL, "address:a"):
            held.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    started = time.monotonic()
    with (
        pytest.raises(QueueTimeout, match="stayed busy") as refused,
        gate.enter(SPARQL, "address:b"),
    ):
        pass
    # refused after its wait in the queue, not when the holder let go (5 s)
    assert 0.15 < time.monotonic() - started < 4 and refused.value.retry_after >= 1
    with gate.enter("questions", "address:b"):  # the catalogue's lane has no share to wait for
        pass
    release.set()
    holder.join()


def test_ad_hoc_sparql_leaves_one_worker_to_the_questions_by_default():
    assert fairness_of(Settings(query_workers=4)).sparql_workers == 3
    assert fairness_of(Settings(query_workers=1)).sparql_workers == 1
    assert fairness_of(Settings(query_workers=4, sparql_workers=2)).sparql_workers == 2


def test_the_runner_counts_ad_hoc_queries_against_their_client():
    store = EmbeddedStore()
    store.update("INSERT DATA { GRAPH <http://ex/g> { <http://ex/a> <http://ex/p> 1 } }")
    settings = Settings(query_workers=1, client_query_seconds=0.000001)
    with QueryRunner(store, settings=settings) as runner:
        assert runner.query("ASK { ?s ?p ?o }", lane=SPARQL, client="address:a") is True
        with pytest.raises(QuotaExceeded):
            runner.query("ASK { ?s ?p 1 }", lane=SPARQL, client="address:a")
        assert runner.query("ASK { ?s ?p 1 }") is True  # the catalogue's queries are not


def test_ad_hoc_sparql_runs_at_a_lower_priority_on_a_worker_replaced_after():
    store = EmbeddedStore()
    store.update("INSERT DATA { GRAPH <http://ex/g> { <http://ex/a> <http://ex/p> 1 } }")
    with QueryRunner(store, settings=Settings(query_workers=1)) as runner:
        pool = runner._pool
        assert pool is not None
        before = {w.pid for w in pool._idle.queue}
        answer = runner.query("SELECT ?s WHERE { ?s ?p ?o }", lane=SPARQL, client="address:a")
        assert answer.rows
        after = {w.pid for w in pool._idle.queue}
        assert after and after.isdisjoint(before)
        assert runner.query("ASK { ?s ?p 1 }") is True
        assert {w.pid for w in pool._idle.queue} == after  # the questions' worker stays
