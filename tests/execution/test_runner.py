"""The query runner on the embedded store: deadlines that kill, row caps, isolation, follow-up."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, QueryResultsFormat, Triple, parse_query_results

from cybergov.errors import (
    QueryRefused,
    QueryStopped,
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
    UnsupportedFormat,
)
from cybergov.execution import QueryRunner, Serialised
from cybergov.execution.pool import single_threaded
from cybergov.execution.wire import Request
from cybergov.settings import Settings
from cybergov.store import EmbeddedStore, Solutions, Triples

CG = "https://w3id.org/cybergov/ontology#"
OUTPUT_FORMATS = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def small_store(*statements: str) -> EmbeddedStore:
    store = EmbeddedStore()
    body = " ".join(statements) or "<http://ex/a> <http://ex/p> 1 ."
    store.update(f"INSERT DATA {{ GRAPH <http://ex/g> {{ {body} }} }}")
    return store


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def worker_pids(runner: QueryRunner) -> set[int]:
    pool = runner._pool
    assert pool is not None
    return {worker.pid for worker in list(pool._idle.queue) + list(pool._busy)}


def test_answers_are_those_of_the_store(runner, loaded_store):
    sparql = f"SELECT ?s WHERE {{ ?s a <{CG}State> }} ORDER BY ?s LIMIT 5"
    assert runner.query(sparql) == loaded_store.query(sparql)
    assert runner.query(f"ASK {{ ?s a <{CG}Incident> }}") is True
    construct = f"CONSTRUCT WHERE {{ ?s a <{CG}Treaty> }}"
    triples = runner.query(construct)
    assert isinstance(triples, Triples)
    assert set(triples) == set(loaded_store.query(construct)) and not triples.truncated
    assert all(isinstance(t, Triple) for t in triples)


def test_substitutions_bind_terms(runner):
    sparql = f"SELECT ?code WHERE {{ ?state <{CG}iso3166Alpha2> ?code }}"
    answer = runner.query(
        sparql, substitutions={"state": NamedNode("https://w3id.org/cybergov/id/state/FR")}
    )
    assert isinstance(answer, Solutions)
    assert [row[0] for row in answer.rows] == [Literal("FR")]


def test_a_query_past_its_deadline_is_killed_and_the_runner_goes_on(runner):
    before = worker_pids(runner)
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="ran past its deadline of 1 s"):
        runner.query(ENDLESS, timeout=1)
    elapsed = time.monotonic() - started
    assert 0.9 < elapsed < 30  # stopped at its deadline: the query itself never ends
    killed = before - worker_pids(runner)
    assert len(killed) == 1
    time.sleep(0.2)
    assert not any(alive(pid) for pid in killed), "the worker still runs the endless query"
    assert runner.query("ASK { ?s ?p ?o }") is True
    assert len(worker_pids(runner)) == runner.settings.query_workers


def test_rows_are_capped_and_the_cut_is_said():
    store = small_store(*(f"<http://ex/s{i}> <http://ex/p> {i} ." for i in range(50)))
    with QueryRunner(store, settings=Settings(max_rows=20)) as runner:
        capped = runner.query("SELECT ?s WHERE { ?s ?p ?o }")
        assert isinstance(capped, Solutions)
        assert len(capped.rows) == 20 and capped.truncated
        fewer = runner.query("SELECT ?s WHERE { ?s ?p ?o }", max_rows=5)
        assert len(fewer.rows) == 5 and fewer.truncated
        more = runner.query("SELECT ?s WHERE { ?s ?p ?o }", max_rows=1000)
        assert len(more.rows) == 20, "a caller cannot raise the configured cap"
        whole = runner.query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 20")
        assert len(whole.rows) == 20 and not whole.truncated
        graph = runner.query("CONSTRUCT WHERE { ?s ?p ?o }", max_rows=7)
        assert len(graph) == 7 and graph.truncated


def test_a_syntax_error_names_line_and_column(runner):
    with pytest.raises(QuerySyntaxError) as caught:
        runner.query("SELECT * WHERE {\n  ?s ?p\n}")
    assert caught.value.line == 3 and caught.value.column is not None


def test_a_query_nested_5000_deep_is_refused_and_the_process_survives(runner):
    deep = "SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000
    with pytest.raises(QueryRefused, match="nests deeper than 64 levels"):
        runner.query(deep)
    assert runner.query("ASK { ?s ?p ?o }") is True


def test_a_crash_of_the_engine_costs_one_worker_not_the_runner():
    # With screening loosened, a query nested 400,000 deep overflows even the workers'
    # large stacks: pyoxigraph dies with a segmentation fault, in the worker only.
    store = small_store()
    loose = Settings(max_query_bytes=10**7, max_query_depth=10**7, max_query_chain=10**7)
    with QueryRunner(store, settings=loose) as runner:
        deep = "SELECT * WHERE " + "{" * 400_000 + "?s ?p ?o" + "}" * 400_000
        with pytest.raises(QueryStopped, match="brought down the process"):
            runner.query(deep)
        assert runner.query("ASK { ?s ?p ?o }") is True


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { GRAPH <http://ex/g> { <http://ex/x> <http://ex/p> 2 } }",
        "DROP ALL",
        "LOAD <http://127.0.0.1:9/data.ttl>",
    ],
)
def test_updates_never_reach_the_store(update):
    store = small_store()
    with QueryRunner(store) as runner, pytest.raises(QueryRefused):
        runner.query(update)
    assert len(store) == 1


class Canary:
    """A TCP listener on 127.0.0.1 that records whether anything connected to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/sparql"
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.sock.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    self.received.append(connection.recv(4096) or b"(connected)")
                except OSError:
                    self.received.append(b"(connected)")

    def close(self) -> None:
        time.sleep(0.3)
        self._stop.set()
        self._thread.join()
        self.sock.close()


def test_service_and_from_never_reach_the_network(runner):
    canary = Canary()
    try:
        with pytest.raises(QueryRefused, match="SERVICE"):
            runner.query(f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}")
        with pytest.raises(QueryRefused, match="does not hold"):
            runner.query(f"SELECT * FROM <{canary.url}> WHERE {{ ?s ?p ?o }}")
        with pytest.raises(QueryRefused, match="does not hold"):
            runner.query(f"SELECT * FROM NAMED <{canary.url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    finally:
        canary.close()
    assert canary.received == []


def test_workers_cannot_reach_the_network_even_past_screening(runner):
    if not runner.network_isolated:
        pytest.skip("this system does not let processes have a network namespace of their own")
    canary = Canary()
    pool = runner._pool
    assert pool is not None
    try:
        request = Request(
            sparql=f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}", seconds=10
        )
        with pytest.raises(StoreError):
            pool.run(request)
    finally:
        canary.close()
    assert canary.received == []


def test_from_names_graphs_of_the_store(runner):
    states = "https://w3id.org/cybergov/graph/kg/states"
    answer = runner.query(
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) FROM <{states}> WHERE {{ ?s a <{CG}Incident> }}"
    )
    assert int(answer.rows[0][0].value) == 0, "FROM restricts the default graph to that graph"
    answer = runner.query(
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) FROM <{states}> WHERE {{ ?s a <{CG}State> }}"
    )
    assert int(answer.rows[0][0].value) == 193


def test_the_workers_follow_the_writes_of_the_store():
    store = small_store()
    with QueryRunner(store) as runner:
        assert runner.query("ASK { <http://ex/new> ?p ?o }") is False
        store.update("INSERT DATA { GRAPH <http://ex/g> { <http://ex/new> <http://ex/p> 2 } }")
        assert runner.query("ASK { <http://ex/new> ?p ?o }") is True
        store.oxigraph.update(
            "INSERT DATA { GRAPH <http://ex/g> { <http://ex/direct> <http://ex/p> 3 } }"
        )
        runner.refresh()
        assert runner.query("ASK { <http://ex/direct> ?p ?o }") is True


def test_an_on_disk_store_is_read_from_checkpoints_that_follow_writes(tmp_path: Path):
    store = EmbeddedStore(tmp_path / "store")
    store.update("INSERT DATA { GRAPH <http://ex/g> { <http://ex/a> <http://ex/p> 1 } }")
    with QueryRunner(store) as runner:
        assert runner.query("ASK { <http://ex/a> ?p ?o }") is True
        store.update("INSERT DATA { GRAPH <http://ex/g> { <http://ex/b> <http://ex/p> 2 } }")
        assert runner.query("ASK { <http://ex/b> ?p ?o }") is True
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".replica-")]
    store.close()


def test_many_threads_share_one_runner(runner):
    sparql = f"SELECT ?code WHERE {{ ?state <{CG}iso3166Alpha2> ?code }}"
    codes = ["FR", "DE", "RU", "CN", "US", "GB", "UA", "EE"]
    failures: list[str] = []

    def ask(code: str) -> None:
        for _ in range(15):
            state = NamedNode(f"https://w3id.org/cybergov/id/state/{code}")
            answer = runner.query(sparql, substitutions={"state": state})
            if [row[0].value for row in answer.rows] != [code]:
                failures.append(code)

    threads = [threading.Thread(target=ask, args=(code,)) for code in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_a_runner_is_started_before_use_and_unusable_after_close():
    store = small_store()
    runner = QueryRunner(store)
    with pytest.raises(StoreError, match="not started"):
        runner.query("ASK {}")
    with runner:
        holder = runner._pool._holder
        assert holder is not None and holder.poll() is None
        pids = worker_pids(runner)
    assert holder.poll() is not None, "the replica holder stopped"
    time.sleep(0.2)
    assert not any(alive(pid) for pid in pids)
    with pytest.raises(StoreError, match="not started"):
        runner.query("ASK {}")


def test_a_single_threaded_process_shares_its_store_and_a_threaded_one_copies_it():
    store = small_store()
    alone = single_threaded()  # not after an on-disk store started its threads in this process
    with QueryRunner(store) as runner:
        assert runner._pool.replication == ("fork" if alone else "copy")
        store.update("INSERT DATA { GRAPH <http://ex/g> { <http://ex/b> <http://ex/p> 2 } }")
        assert runner.query("ASK { <http://ex/b> ?p ?o }") is True
    busy = threading.Event()
    other = threading.Thread(target=busy.wait, daemon=True)
    other.start()
    try:
        with QueryRunner(store) as runner:
            assert runner._pool.replication == "copy", "a fork of a threaded process is unsafe"
            assert runner.query("ASK { <http://ex/b> ?p ?o }") is True
            store.update("INSERT DATA { GRAPH <http://ex/g> { <http://ex/c> <http://ex/p> 3 } }")
            assert runner.query("ASK { <http://ex/c> ?p ?o }") is True
    finally:
        busy.set()
        other.join()


def test_closing_one_runner_stops_its_workers_while_another_runs():
    first = QueryRunner(small_store()).start()
    second = QueryRunner(small_store()).start()  # its holder was forked after the first's sockets
    pids = worker_pids(first)
    first.close()
    time.sleep(0.3)
    assert not any(alive(pid) for pid in pids)
    assert second.query("ASK { ?s ?p ?o }") is True
    second.close()


FORKED = """
import sys
from cybergov.store import EmbeddedStore
from cybergov.execution import QueryRunner
store = EmbeddedStore()
store.update("INSERT DATA { GRAPH <http://ex/g> { <http://ex/a> <http://ex/p> 1 } }")
with QueryRunner(store) as runner:
    assert runner._pool.replication == "fork", runner._pool.replication
    assert runner.query("ASK { <http://ex/a> ?p ?o }") is True
    store.update("INSERT DATA { GRAPH <http://ex/g> { <http://ex/b> <http://ex/p> 2 } }")
    assert runner.query("ASK { <http://ex/b> ?p ?o }") is True
    try:
        runner.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }", timeout=1)
    except Exception as error:
        assert type(error).__name__ == "QueryTimeout"
    assert runner.query("ASK { <http://ex/a> ?p ?o }") is True
print("forked replica ok")
"""


def run_alone(script: str) -> str:
    """What ``script`` prints, run in a fresh (single-threaded) Python process."""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_in_a_fresh_process_the_replica_is_the_store_itself():
    assert "forked replica ok" in run_alone(FORKED)


def test_a_read_only_store_is_read_by_the_workers_in_place(tmp_path: Path):
    writer = EmbeddedStore(tmp_path / "store")
    writer.update("INSERT DATA { GRAPH <http://ex/g> { <http://ex/a> <http://ex/p> 1 } }")
    writer.close()
    del writer
    store = EmbeddedStore(tmp_path / "store", read_only=True)
    with QueryRunner(store) as runner:
        assert runner.query("ASK { <http://ex/a> ?p ?o }") is True
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".replica-")]


@pytest.mark.parametrize("output", ["json", "xml", "csv", "tsv"])
def test_written_answers_read_back_as_the_answers_of_the_store(runner, loaded_store, output):
    sparql = (
        f"SELECT ?s ?label WHERE {{ ?s a <{CG}State> ; rdfs:label ?label }} ORDER BY ?s LIMIT 7"
    )
    sparql = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> " + sparql
    written = runner.query_results(sparql, output)
    assert isinstance(written, Serialised)
    assert written.format == output and not written.truncated and not written.boolean
    expected = loaded_store.query(sparql)
    if output == "csv":  # CSV keeps only the lexical form of each term
        header, *lines = csv.reader(io.StringIO(written.body.decode()))
        assert header == list(expected.variables)
        assert [tuple(line) for line in lines] == [
            tuple(t.value for t in row) for row in expected.rows
        ]
    else:
        read = parse_query_results(written.body, OUTPUT_FORMATS[output])
        rows = [tuple(solution[name] for name in expected.variables) for solution in read]
        assert rows == [tuple(row) for row in expected.rows]
    asked = runner.query_results(f"ASK {{ ?s a <{CG}Incident> }}", output)
    assert isinstance(asked, Serialised) and asked.boolean
    if output in ("json", "xml"):
        assert bool(parse_query_results(asked.body, OUTPUT_FORMATS[output])) is True


def test_a_written_answer_cut_at_the_cap_says_so():
    store = small_store(*(f"<http://ex/s{i}> <http://ex/p> {i} ." for i in range(50)))
    with QueryRunner(store, settings=Settings(max_rows=20)) as runner:
        cut = runner.query_results("SELECT ?s WHERE { ?s ?p ?o }", "json")
        assert isinstance(cut, Serialised) and cut.truncated
        body = json.loads(cut.body)
        assert body["truncated"] is True and len(body["results"]["bindings"]) == 20
        whole = runner.query_results("SELECT ?s WHERE { ?s ?p ?o } LIMIT 20", "csv")
        assert isinstance(whole, Serialised) and not whole.truncated
        assert len(whole.body.decode().splitlines()) == 21  # the header and 20 rows
        with pytest.raises(UnsupportedFormat, match="answers with a graph"):
            runner.query_results("CONSTRUCT WHERE { ?s ?p ?o }", "json")
        graph = runner.construct("CONSTRUCT WHERE { ?s ?p ?o }", max_rows=3)
        assert len(graph) == 3 and graph.truncated, "graphs come as triples"
        with pytest.raises(UnsupportedFormat, match="unknown results format"):
            runner.query_results("SELECT ?s WHERE { ?s ?p ?o }", "turtle")


def test_an_answer_is_kept_until_the_store_is_written_to():
    store = small_store("<http://ex/a> <http://ex/p> 1 .")
    sparql = "SELECT ?o WHERE { ?s <http://ex/p> ?o } ORDER BY ?o"
    with QueryRunner(store) as runner:
        assert runner.answers is not None
        first = runner.query_results(sparql, "csv")
        again = runner.query_results(sparql, "csv")
        assert again is first and runner.answers.hits == 1, "the second answer is the kept one"
        assert runner.query_results(sparql, "tsv") is not first, "each format is its own"
        store.update("INSERT DATA { GRAPH <http://ex/g> { <http://ex/b> <http://ex/p> 2 } }")
        after = runner.query_results(sparql, "csv")
        assert isinstance(after, Serialised)
        assert after.body.decode().split() == ["o", "1", "2"], "a write makes kept answers stale"
        bound = runner.query_results(sparql, "csv", substitutions={"s": NamedNode("http://ex/b")})
        assert isinstance(bound, Serialised) and bound.body.decode().split() == ["o", "2"]


def test_no_answer_is_kept_when_the_cache_is_off():
    store = small_store("<http://ex/a> <http://ex/p> 1 .")
    with QueryRunner(store, settings=Settings(answer_cache_bytes=0)) as runner:
        assert runner.answers is None
        first = runner.query_results("SELECT * WHERE { ?s ?p ?o }", "json")
        assert runner.query_results("SELECT * WHERE { ?s ?p ?o }", "json") is not first


SLOW_MERGE = """
import time
from cybergov.execution import QueryRunner, pool, replica
from cybergov.store import EmbeddedStore
pool._START_SECONDS = pool._COMMAND_SECONDS = 0.5
merge = replica.merge_default_graph
def slow_merge(store):
    time.sleep(2.0)  # a large store takes long to merge; the holder is forked with this
    merge(store)
replica.merge_default_graph = slow_merge
store = EmbeddedStore()
store.update("INSERT DATA { GRAPH <http://ex/g> { <http://ex/a> <http://ex/p> 1 } }")
with QueryRunner(store) as runner:
    assert runner._pool.replication == "fork", runner._pool.replication
    assert runner.query("ASK { <http://ex/a> ?p ?o }") is True
print("slow replica ok")
"""


def test_a_replica_slower_to_prepare_than_a_command_is_waited_for():
    assert "slow replica ok" in run_alone(SLOW_MERGE)
