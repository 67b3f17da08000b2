"""How fast the questions are: cybergov's runner against raw pyoxigraph, rdflib and a server.

For each size (asserted triples of the synthetic graph of ``synthetic.py``,
added to the bundled ontology and graph, with every inference materialised
as ``cybergov load`` does), every question of the catalogue runs:

- through cybergov's query runner (screening, a worker process, the deadline
  and the row cap; the cap is raised so that every engine returns every row);
- on raw pyoxigraph, in this process, on the very same query text;
- on rdflib, on the same data (a ``Dataset`` whose default graph is the union),
  once per query (parsing included), in a forked process killed past a time
  budget (10 s): rdflib does not finish many of the joins at 100k triples, and
  is left out at 1M (loading a million triples into rdflib alone takes minutes);
- on an Oxigraph server (``oxigraph serve --union-default-graph``, in memory)
  through the remote store: SPARQL protocol, JSON results parsed by pyoxigraph;
- on Virtuoso 7 (Debian's ``virtuoso-opensource``, a private database in a
  temporary folder, as the tests start it) through the remote store, loaded
  as ``cybergov load --endpoint`` writes: each named graph sent to a staging
  graph through the Digest-authenticated Graph Store endpoint, then moved in
  place by one update.

The load time of each engine is printed above its table: pyoxigraph's
``bulk_load`` of the N-Quads, one ``POST`` of the N-Quads to the Oxigraph
server, and the graph-by-graph writes to Virtuoso.

Each question runs with its example parameters (the IRIs of states, incidents,
groups and organs replaced by synthetic ones, so that they select real rows),
and, when it has no required parameter, also with none ("all"). The table gives
the median of the runs, in milliseconds, and the ratio to raw pyoxigraph; below
it, each engine's median over the questions and the geometric mean of its ratios
to raw pyoxigraph.

Each run has a deadline (``--deadline``, seconds): the runner's own, the HTTP
timeout of the remote stores (the servers' own limits a little later). An engine
that passes it in the first run of a question is reported as "timed out after N s"
for that question and not run again; a query the runner stops for its memory cap
is reported as such. Raw pyoxigraph cannot be stopped in this process, so it is not
run where the runner, the same engine on the same data, timed out or was stopped.
``--questions`` runs only the questions named.

Usage::

    python benchmarks/questions.py                        # 10k, 100k and 1M
    python benchmarks/questions.py --sizes 10000 --repeat 7
    python benchmarks/questions.py --sizes 10000 --no-rdflib   # the three SPARQL engines
    python benchmarks/questions.py --sizes 1000000 --no-rdflib --repeat 1 --deadline 120
"""

from __future__ import annotations

import argparse
import collections
import gc
import hashlib
import math
import multiprocessing
import os
import select
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import RdfFormat, parse, serialize

from cybergov.errors import QueryStopped, QueryTimeout
from cybergov.execution import QueryRunner
from cybergov.knowledge.load import load, refresh_inferences
from cybergov.settings import Settings, data_root
from cybergov.sparql.catalogue import Catalogue, Question
from cybergov.sparql.lexer import bind_values
from cybergov.store import EmbeddedStore
from cybergov.store.base import collect_solutions
from cybergov.store.endpoints import Credentials
from cybergov.store.remote import Endpoints, RemoteStore
from servers import OxigraphServer, VirtuosoServer
from synthetic import generate

HERE = Path(__file__).resolve().parent
CACHE = HERE / "out" / "cache"
#: Parameters that name resources of a family the synthetic graph has, and a synthetic one.
SYNTHETIC = {
    "state": "state:S001",
    "target": "state:S003",
    "culprit": "state:S001",
    "attributor": "state:S002",
    "partner": "state:S002",
    "incident": "incident:synthetic-8",
    "group": "group:synthetic-group-1",
}


@dataclass
class Case:
    question: Question
    variant: str
    text: str


#: The engines timed on every case, in the order they take turns (the runner before raw
#: pyoxigraph, which is not run where the runner timed out).
ENGINES = ("runner", "raw", "server", "virtuoso")


@dataclass
class Outcome:
    """One engine's runs of one case: the median milliseconds and the first answer, or why
    there are none (``note``)."""

    ms: float | None
    answer: Any = None
    note: str = ""


@dataclass
class Row:
    case: Case
    rows: int | None
    outcomes: dict[str, Outcome]
    rdflib: float | None
    rdflib_note: str
    virtuoso_rows: int | None


def cache_key(size: int) -> str:
    digest = hashlib.sha256(str(size).encode())
    root = data_root()
    for folder in ("ontology", "kg", "queries/rules"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                digest.update(path.read_bytes())
    digest.update((HERE / "synthetic.py").read_bytes())
    return digest.hexdigest()[:16]


def build(size: int) -> Path:
    """The N-Quads of the bundled graph plus a synthetic one of ``size`` triples, inferred."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"questions-{size}-{cache_key(size)}.nq"
    if path.exists():
        return path
    started = time.perf_counter()
    store = EmbeddedStore()
    load(store)
    store.oxigraph.extend(list(generate(size)))
    store.mark_changed()
    refresh_inferences(store, force=True)
    with path.open("wb") as output:
        store.oxigraph.dump(output, RdfFormat.N_QUADS)
    print(
        f"  built {size:,} + inferences: {len(store):,} quads in {time.perf_counter() - started:.0f} s"
    )
    return path


def cases(catalogue: Catalogue, names: set[str] | None = None) -> list[Case]:
    found = []
    for question in catalogue:
        if names is not None and question.name not in names:
            continue
        values = {p.name: SYNTHETIC.get(p.name, p.example) for p in question.params}
        found.append(
            Case(question, "examples", bind_values(question.text(), question.bind(values)))
        )
        if not any(p.required for p in question.params) and question.params:
            found.append(Case(question, "all", bind_values(question.text(), question.bind({}))))
    return found


def medians_ms(
    runs: dict[str, Callable[[], Any]], repeat: int, deadline: float
) -> dict[str, Outcome]:
    """Median milliseconds of each engine's runs, the engines taking turns so that drift hits
    all alike, after a first run that warms up and keeps the answer. An engine that passes
    the deadline in that first run is not run again; raw pyoxigraph is not run at all
    where the runner timed out or was stopped."""
    note = f"timed out after {deadline:.0f} s"
    outcomes: dict[str, Outcome] = {}
    for name, run in runs.items():
        if name == "raw" and outcomes["runner"].ms is None:
            outcomes[name] = Outcome(None, note=outcomes["runner"].note)
            continue
        try:
            outcomes[name] = Outcome(0.0, run())
        except QueryTimeout:
            outcomes[name] = Outcome(None, note=note)
        except QueryStopped:  # the runner's cap on a query's memory
            outcomes[name] = Outcome(None, note="stopped over the memory cap")
    going = {name: run for name, run in runs.items() if outcomes[name].ms is not None}
    times: dict[str, list[float]] = {name: [] for name in going}
    for _ in range(repeat):
        for name, run in going.items():
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    for name, spent in times.items():
        outcomes[name].ms = statistics.median(spent) * 1000
    return outcomes


# --- rdflib, in a process of its own, each query in a fork killed past a time budget ------
#
# rdflib's graph is millions of Python objects: held in this process, it would
# make every garbage collection here slow, and the other engines' timings with it.


def _rdflib_holder(path: str, conn: Any) -> None:
    from rdflib import Dataset

    dataset = Dataset(default_union=True)
    dataset.parse(path, format="nquads")
    gc.freeze()
    conn.send(len(dataset))
    while True:
        request = conn.recv()
        if request is None:
            return
        text, budget = request
        reader, writer = os.pipe()
        child = os.fork()
        if child == 0:
            os.close(reader)
            started = time.perf_counter()
            try:
                list(dataset.query(text))
                outcome = f"{(time.perf_counter() - started) * 1000:.3f}"
            except Exception as error:  # reported in the table
                outcome = f"fails ({type(error).__name__})"
            os.write(writer, outcome.encode())
            os._exit(0)
        os.close(writer)
        ready, _, _ = select.select([reader], [], [], budget)
        if ready:
            outcome = os.read(reader, 200).decode()
            os.waitpid(child, 0)
        else:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            outcome = f"> {budget:.0f} s"
        os.close(reader)
        conn.send(outcome)


class Rdflib:
    """rdflib holding one size's data in a process of its own."""

    def __init__(self, path: Path) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=_rdflib_holder, args=(str(path), theirs))
        self.process.start()
        self.quads = self.conn.recv()

    def time(self, text: str, budget: float) -> tuple[float | None, str]:
        """One run (parsing and evaluation): its milliseconds, or why there are none."""
        self.conn.send((text, budget))
        outcome = self.conn.recv()
        try:
            return float(outcome), ""
        except ValueError:
            return None, outcome

    def close(self) -> None:
        self.conn.send(None)
        self.process.join()


# --- one size ---------------------------------------------------------------------------


#: Seconds a server may go on past the client's deadline, so that the client is the one that
#: stops waiting (and reports a timeout) and the server then stops the query itself.
SERVER_GRACE = 5
#: Seconds one graph may take to reach Virtuoso (the synthetic one holds almost every triple).
TRANSFER_SECONDS = 4 * 3600


def remote_server(path: Path, deadline: float) -> tuple[OxigraphServer, RemoteStore]:
    server = OxigraphServer(data=path, timeout=int(deadline) + SERVER_GRACE).start()
    return server, RemoteStore(Endpoints.derive(server.query_endpoint), timeout=deadline)


def virtuoso_server(
    path: Path, quads: int, folder: Path, deadline: float
) -> tuple[VirtuosoServer, RemoteStore]:
    """Virtuoso with a private database in ``folder``, loaded graph by graph as cybergov loads
    a remote store (staging graph and move, through the authenticated endpoints).

    Virtuoso's time limit (``MaxQueryExecutionTime``) holds for updates too: moving the
    synthetic graph of a million triples in place takes minutes. The load runs under a
    limit as long as a transfer; then the limit becomes the questions' deadline (Virtuoso
    reads it from its ``virtuoso.ini`` at each request)."""
    buffers = max(20_000, quads // 8)  # pages of 8 KB: about 2 GB at two million quads
    server = VirtuosoServer(folder, max_seconds=TRANSFER_SECONDS, buffers=buffers).start()
    settings = Settings(**server.settings())
    assert settings.endpoint_username is not None and settings.endpoint_password is not None
    store = RemoteStore(
        Endpoints.derive(
            server.query_endpoint,
            update=settings.update_endpoint,
            graph_store=settings.graph_store_endpoint,
        ),
        timeout=deadline,
        transfer_timeout=TRANSFER_SECONDS,
        credentials=Credentials(
            settings.endpoint_username,
            settings.endpoint_password.get_secret_value(),
            settings.endpoint_auth,
        ),
    )
    graphs: dict[str, list[Any]] = collections.defaultdict(list)
    for quad in parse(path=str(path), format=RdfFormat.N_QUADS):
        graphs[quad.graph_name.value].append(quad.triple)
    try:
        for graph, triples in graphs.items():
            data = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
            store.replace_graph(graph, data, format=RdfFormat.N_TRIPLES, source=graph)
    except BaseException:
        server.stop()
        raise
    limit = f"MaxQueryExecutionTime = {TRANSFER_SECONDS}\n"
    ini = server.ini.read_text(encoding="utf-8")
    assert limit in ini
    server.ini.write_text(
        ini.replace(limit, f"MaxQueryExecutionTime = {int(deadline) + SERVER_GRACE}\n"),
        encoding="utf-8",
    )
    return server, store


def failing_as_nan(store: RemoteStore, text: str) -> Any:
    """The answer, or None when the engine fails the query (reported in the table); a
    timeout is raised as such."""
    try:
        return store.query(text)
    except QueryTimeout:
        raise
    except Exception as error:
        print(f"    virtuoso fails: {str(error)[:200]}", file=sys.stderr)
        return None


def timed(action: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def measure(
    size: int,
    repeat: int,
    deadline: float,
    rdflib_budget: float,
    rdflib_limit: int,
    names: set[str] | None = None,
) -> list[Row]:
    path = build(size)
    store = EmbeddedStore()
    _, raw_load = timed(lambda: store.oxigraph.bulk_load(path=str(path), format=RdfFormat.N_QUADS))
    quads = len(store)
    rdflib = None
    if size <= rdflib_limit:
        started = time.perf_counter()
        rdflib = Rdflib(path)
        print(f"  rdflib loaded {rdflib.quads:,} quads in {time.perf_counter() - started:.0f} s")
    (server, remote), server_load = timed(lambda: remote_server(path, deadline))
    print(f"  oxigraph server loaded in {server_load:.0f} s", file=sys.stderr)
    folder = tempfile.TemporaryDirectory(prefix="virtuoso-bench-")
    try:
        (virtuoso, on_virtuoso), virtuoso_load = timed(
            lambda: virtuoso_server(path, quads, Path(folder.name), deadline)
        )
        print(f"  virtuoso loaded in {virtuoso_load:.0f} s", file=sys.stderr)
    except BaseException:
        server.stop()
        folder.cleanup()
        raise
    loads = {"pyoxigraph": raw_load, "oxigraph server": server_load, "virtuoso": virtuoso_load}
    settings = Settings(query_timeout=deadline, max_rows=10**8, query_workers=2)
    rows: list[Row] = []
    try:
        with QueryRunner(store, settings=settings) as runner:
            for case in cases(Catalogue.load(), names):
                outcomes = medians_ms(
                    {
                        "runner": lambda c=case: runner.query(c.text),
                        "raw": lambda c=case: collect_solutions(
                            store.oxigraph.query(c.text, use_default_graph_as_union=True), None
                        ),
                        "server": lambda c=case: remote.query(c.text),
                        "virtuoso": lambda c=case: failing_as_nan(on_virtuoso, c.text),
                    },
                    repeat,
                    deadline,
                )
                raw_answer = outcomes["raw"].answer
                on_oxigraph = outcomes["runner"].answer if raw_answer is None else raw_answer
                from_virtuoso = outcomes["virtuoso"]
                virtuoso_rows = (
                    None
                    if from_virtuoso.ms is None
                    else -1
                    if from_virtuoso.answer is None
                    else len(from_virtuoso.answer.rows)
                )
                if rdflib is not None:
                    rdflib_ms, note = rdflib.time(case.text, rdflib_budget)
                else:
                    rdflib_ms, note = None, "not run"
                row = Row(
                    case,
                    None if on_oxigraph is None else len(on_oxigraph.rows),
                    outcomes,
                    rdflib_ms,
                    note,
                    virtuoso_rows,
                )
                rows.append(row)
                print(f"  {markdown_row(row)}", file=sys.stderr, flush=True)
    finally:
        server.stop()
        virtuoso.stop()
        folder.cleanup()
        if rdflib is not None:
            rdflib.close()
    print_table(size, quads, rows, loads)
    return rows


def ratio(value: float | None, base: float | None) -> str:
    return "" if value is None or base is None or base <= 0 else f"{value / base:.2f}"


def cell(outcome: Outcome) -> str:
    return outcome.note if outcome.ms is None else f"{outcome.ms:.1f}"


def markdown_row(row: Row) -> str:
    runner, raw, remote, virtuoso = (row.outcomes[name] for name in ENGINES)
    rdflib_cell = f"{row.rdflib:.1f}" if row.rdflib is not None else row.rdflib_note
    differs = (
        ""
        if row.virtuoso_rows is None or row.rows is None or row.virtuoso_rows == row.rows
        else " (fails)"
        if row.virtuoso_rows < 0
        else f" ({row.virtuoso_rows:,} rows!)"
    )
    rows = "?" if row.rows is None else f"{row.rows:,}"
    return (
        f"| {row.case.question.name} | {row.case.variant} | {rows} | {cell(runner)} "
        f"| {cell(raw)} | {ratio(runner.ms, raw.ms)} | {rdflib_cell} "
        f"| {ratio(row.rdflib, raw.ms)} | {cell(remote)} | {ratio(remote.ms, raw.ms)} "
        f"| {cell(virtuoso)}{differs} | {ratio(virtuoso.ms, raw.ms)} |"
    )


def geometric_mean(values: list[float]) -> float:
    return math.exp(statistics.fmean(math.log(v) for v in values)) if values else float("nan")


def engine_summary(rows: list[Row]) -> str:
    """Each engine's median over the questions it answered in time, the geometric mean of its
    ratios to raw pyoxigraph, and the questions it timed out on."""
    parts = []
    for name in ENGINES:
        times = [row.outcomes[name].ms for row in rows]
        answered = [ms for ms in times if ms is not None]
        ratios = [
            ms / raw
            for ms, raw in ((row.outcomes[name].ms, row.outcomes["raw"].ms) for row in rows)
            if ms is not None and raw is not None and raw > 0
        ]
        median = f"{statistics.median(answered):.1f} ms" if answered else "none"
        ratio_text = (
            "" if name == "raw" else f", geometric mean of /raw {geometric_mean(ratios):.2f}"
        )
        late = len(times) - len(answered)
        parts.append(
            f"{name}: median {median}{ratio_text}" + (f", {late} timed out" if late else "")
        )
    return "per engine over the questions: " + "; ".join(parts)


def print_table(size: int, quads: int, rows: list[Row], loads: dict[str, float]) -> None:
    print(
        f"\n### {size:,} synthetic triples ({quads:,} quads with the bundled graph and inferences)\n"
    )
    print("load: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in loads.items()))
    print()
    print(
        "| question | params | rows | runner ms | raw ms | runner/raw | rdflib ms | rdflib/raw "
        "| oxigraph server ms | server/raw | virtuoso ms | virtuoso/raw |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(markdown_row(row))
    pairs = [(row.outcomes["runner"].ms, row.outcomes["raw"].ms) for row in rows]
    ratios = [runner / raw for runner, raw in pairs if runner is not None and raw]
    within = sum(1 for r in ratios if r <= 1.2)
    heavy = [runner / raw for runner, raw in pairs if runner is not None and raw and raw >= 10]
    print(
        f"\nrunner/raw: geometric mean {geometric_mean(ratios):.2f}, {within} of {len(ratios)} "
        f"within 1.2x; questions of 10 ms or more: geometric mean {geometric_mean(heavy):.2f}, "
        f"worst {max(heavy) if heavy else float('nan'):.2f}"
    )
    print(engine_summary(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument(
        "--repeat", type=int, help="timed runs of each question (default: 5, 3 at a million)"
    )
    parser.add_argument(
        "--deadline", type=float, default=600.0, help="seconds one run of a question may take"
    )
    parser.add_argument("--rdflib-budget", type=float, default=10.0, help="seconds per rdflib run")
    parser.add_argument("--rdflib-limit", type=int, default=100_000, help="largest size for rdflib")
    parser.add_argument("--questions", help="only these questions (names, comma-separated)")
    parser.add_argument("--no-rdflib", action="store_true", help="leave rdflib out")
    arguments = parser.parse_args()
    print(f"cybergov questions benchmark, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for size in (int(s) for s in arguments.sizes.split(",")):
        print(f"\nsize {size:,}:", file=sys.stderr)
        repeat = arguments.repeat or (5 if size < 1_000_000 else 3)
        limit = 0 if arguments.no_rdflib else arguments.rdflib_limit
        names = set(arguments.questions.split(",")) if arguments.questions else None
        measure(size, repeat, arguments.deadline, arguments.rdflib_budget, limit, names)


if __name__ == "__main__":
    main()
