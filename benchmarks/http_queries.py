"""The ``queries`` part of ``http_service.py``: questions and SPARQL queries over HTTP on
cybergov, the Oxigraph server and rdflib-endpoint, against the raw engine (see there)."""

from __future__ import annotations

import math
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from pyoxigraph import RdfFormat

from cybergov.sparql.catalogue import Catalogue
from cybergov.sparql.lexer import bind_values
from cybergov.store import EmbeddedStore
from cybergov.store.base import collect_solutions
from http_peers import Peer, cybergov, rdflib_endpoint
from questions import SYNTHETIC, build
from servers import OxigraphServer

#: The deadline of a query on cybergov and on the Oxigraph server, in seconds (cybergov's
#: default). The Oxigraph server (0.5) keeps a thread per query for as long as its timeout:
#: with a long one, thousands of fast queries exhaust the threads it may start.
DEADLINE = 10

#: Every client asks for SPARQL JSON, uncompressed (none of the peers compresses; cybergov
#: would gzip a large answer for a client that allows it).
RESULTS_JSON = {"Accept": "application/sparql-results+json", "Accept-Encoding": "identity"}
PLAIN = {"Accept-Encoding": "identity"}
#: SPARQL text is sent in the body, as SPARQLWrapper does: no client-side URL encoding.
DIRECT = {"Content-Type": "application/sparql-query"}
PREFIXES = """PREFIX cg: <https://w3id.org/cybergov/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX incident: <https://w3id.org/cybergov/id/incident/>
"""
#: Plain SPARQL queries, beside the questions: the shapes design.md measured.
SPARQL = {
    "point lookup": PREFIXES + "SELECT ?p ?o WHERE { incident:synthetic-8 ?p ?o }",
    "four-way join": PREFIXES
    + """SELECT ?incident ?label ?by ?state WHERE {
  ?attribution cg:attributedIncident ?incident ; cg:attributedBy ?actor ; cg:attributedTo ?state .
  ?state a cg:State . ?actor rdfs:label ?by . ?incident rdfs:label ?label .
} LIMIT 1000""",
    "aggregate": PREFIXES
    + """SELECT ?type (COUNT(DISTINCT ?incident) AS ?n) WHERE {
  ?incident a cg:Incident ; cg:incidentType ?type } GROUP BY ?type ORDER BY DESC(?n)""",
    "subclass path": PREFIXES
    + "SELECT (COUNT(*) AS ?n) WHERE { ?x a ?c . ?c rdfs:subClassOf* cg:Actor }",
}


@dataclass
class Case:
    label: str
    text: str
    question_path: str | None = None


@dataclass
class Row:
    case: Case
    rows: int
    raw: float
    question: float | None
    question_kept: float | None
    sparql: float
    oxigraph: float
    rdflib: float | None
    rdflib_note: str = ""
    throughput: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def cases() -> list[Case]:
    found = []
    for question in Catalogue.load():
        values = {p.name: SYNTHETIC.get(p.name, p.example) for p in question.params}
        variants = [("examples", values)]
        if question.params and not any(p.required for p in question.params):
            variants.append(("all", {}))
        for variant, given in variants:
            text = bind_values(question.text(), question.bind(given))
            query = urlencode({k: str(v) for k, v in given.items()})
            path = f"/questions/{question.name}" + (f"?{query}" if query else "")
            label = question.name + (" (all)" if variant == "all" else "")
            found.append(Case(label, text, path))
    found += [Case(f"SPARQL: {name}", text) for name, text in SPARQL.items()]
    return found


def get(client: httpx.Client, url: str) -> bytes:
    """A question's JSON answer (its rows and the SPARQL results)."""
    response = client.get(url, headers={"Accept": "application/json"})
    response.raise_for_status()
    return response.content


def post(client: httpx.Client, url: str, text: str) -> bytes:
    response = client.post(url, content=text.encode(), headers=DIRECT)
    response.raise_for_status()
    return response.content


def medians(runs: list[Callable[[], Any]], repeat: int) -> list[float]:
    """Median milliseconds of each run, the runs taking turns."""
    for run in runs:
        run()
    spent: list[list[float]] = [[] for _ in runs]
    for _ in range(repeat):
        for times, run in zip(spent, runs, strict=True):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
    return [statistics.median(t) * 1000 for t in spent]


def rdflib_time(peer: Peer, text: str, repeat: int, budget: float) -> tuple[float | None, str]:
    """rdflib-endpoint's median, or why there is none (the server restarted past the budget)."""
    times = []
    with httpx.Client(headers=RESULTS_JSON, timeout=budget) as client:
        for _ in range(repeat):
            started = time.perf_counter()
            try:
                response = client.post(f"{peer.url}/", content=text.encode(), headers=DIRECT)
            except httpx.TimeoutException:
                peer.restart()
                return None, f"> {budget:g} s"
            if response.status_code != 200:
                return None, f"fails ({response.status_code})"
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, ""


def throughput(
    url: str, text: str | None, headers: dict[str, str], clients: int, seconds: float
) -> tuple[float, int]:
    """Answers per second that ``clients`` concurrent keep-alive clients get (a GET of
    ``url``, or ``text`` sent to it as a query), and how many requests failed."""
    counts = [0] * clients
    failures = [0] * clients
    stop = time.perf_counter() + seconds

    def work(slot: int) -> None:
        with httpx.Client(headers=headers, timeout=600) as client:
            while time.perf_counter() < stop:
                try:
                    if text is None:
                        get(client, url)
                    else:
                        post(client, url, text)
                except httpx.HTTPError:
                    failures[slot] += 1
                    time.sleep(0.05)
                    continue
                counts[slot] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started), sum(failures)


def raw(store: EmbeddedStore, text: str) -> Any:
    return collect_solutions(store.oxigraph.query(text, use_default_graph_as_union=True), None)


@dataclass
class Servers:
    """The base URLs of the servers compared."""

    ours: str  # cybergov without its answer cache: each request runs its query
    kept: str  # cybergov as served, its answer cache on
    oxigraph: str  # the Oxigraph server's query endpoint


def measure_case(
    case: Case, store: EmbeddedStore, servers: Servers, peer: Peer | None, options: Any
) -> Row:
    ours, kept, oxi = servers.ours, servers.kept, servers.oxigraph
    with httpx.Client(headers=RESULTS_JSON, timeout=600) as client:
        runs: list[Callable[[], Any]] = [
            lambda: raw(store, case.text),
            lambda: post(client, f"{ours}/sparql", case.text),
            lambda: post(client, oxi, case.text),
        ]
        if case.question_path:
            runs.append(lambda: get(client, f"{ours}{case.question_path}"))
            runs.append(lambda: get(client, f"{kept}{case.question_path}"))
        timed = medians(runs, options.repeat)
    rdflib_ms, note = None, "not run"
    if peer is not None:
        rdflib_ms, note = rdflib_time(peer, case.text, options.rdflib_repeat, options.rdflib_budget)
    row = Row(
        case,
        len(raw(store, case.text).rows),
        raw=timed[0],
        question=timed[3] if case.question_path else None,
        question_kept=timed[4] if case.question_path else None,
        sparql=timed[1],
        oxigraph=timed[2],
        rdflib=rdflib_ms,
        rdflib_note=note,
    )
    if case.question_path and row.raw >= options.heavy_ms:
        measured = {
            "cybergov": throughput(
                f"{ours}{case.question_path}", None, PLAIN, options.clients, options.seconds
            ),
            "cybergov kept": throughput(
                f"{kept}{case.question_path}", None, PLAIN, options.clients, options.seconds
            ),
            "oxigraph": throughput(oxi, case.text, RESULTS_JSON, options.clients, options.seconds),
        }
        for server, (rate, failed) in measured.items():
            row.throughput[server] = rate
            if failed:
                row.failures.append(f"{server}: {failed} failed requests of concurrent clients")
    return row


def measure(size: int, options: Any) -> None:
    data = build(size)
    store = EmbeddedStore()
    store.oxigraph.bulk_load(path=str(data), format=RdfFormat.N_QUADS)
    oxi = OxigraphServer(data=data, timeout=DEADLINE).start()
    ours = cybergov(data, keep_answers=False)
    kept = cybergov(data)
    peer = rdflib_endpoint(data) if size <= options.rdflib_limit else None
    rows: list[Row] = []
    failed: list[str] = []
    try:
        for case in cases():
            for attempt in (1, 2):
                try:
                    servers = Servers(ours.url, kept.url, oxi.query_endpoint)
                    row = measure_case(case, store, servers, peer, options)
                except httpx.HTTPError as error:  # a server failed: say so, restart, retry once
                    failed.append(
                        f"{case.label}: attempt {attempt} failed: {describe_error(error)}"
                    )
                    print(f"  {failed[-1]}", flush=True)
                    stopped = oxi.process is None or oxi.process.poll() is not None
                    if stopped or oxi.base in str(error.request.url):
                        failed.append(f"{case.label}: the Oxigraph server restarted")
                        oxi.stop()
                        oxi = OxigraphServer(data=data, timeout=DEADLINE).start()
                    for server in (ours, kept):
                        if server.process is None or server.process.poll() is not None:
                            failed.append(f"{case.label}: {server.kind} had stopped; restarted")
                            server.restart()
                    continue
                rows.append(row)
                failed += [f"{case.label}: {failure}" for failure in row.failures]
                print(f"  {case.label}: raw {row.raw:.2f} ms", flush=True)
                break
    finally:
        ours.stop()
        kept.stop()
        oxi.stop()
        if peer is not None:
            peer.stop()
    print_table(size, len(store), rows, options)
    for line in failed:
        print(f"failure: {line}")


def describe_error(error: httpx.HTTPError) -> str:
    """An HTTP failure with what the server said, if it said anything."""
    said = ""
    if isinstance(error, httpx.HTTPStatusError):
        said = f": {error.response.text.strip()[:200]}"
    return f"{type(error).__name__} from {error.request.url.host}:{error.request.url.port}{said}"


def cell(value: float | None, note: str = "") -> str:
    return f"{value:.2f}" if value is not None else note


def rate(value: float | None) -> str:
    return f"{value:,.0f}" if value else ""


def geometric_mean(values: list[float]) -> float:
    return math.exp(statistics.fmean(math.log(x) for x in values))


def print_table(size: int, quads: int, rows: list[Row], options: Any) -> None:
    clients = options.clients
    print(
        f"\n### {size:,} synthetic triples ({quads:,} quads with the bundled graph and inferences)\n"
    )
    print(
        "Latency: one client, medians; cybergov without its answer cache (each request runs "
        'its query),\nand as served ("kept": the answer cache on, a repeated request is '
        f"answered from it). Throughput: {clients} clients.\n"
    )
    print(
        "| query | rows | raw ms | question ms | /sparql ms | question ms, kept | Oxigraph ms "
        "| rdflib-endpoint ms | question req/s | question req/s, kept | Oxigraph req/s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row.case.label} | {row.rows:,} | {row.raw:.2f} | {cell(row.question)} "
            f"| {row.sparql:.2f} | {cell(row.question_kept)} | {row.oxigraph:.2f} "
            f"| {cell(row.rdflib, row.rdflib_note)} | {rate(row.throughput.get('cybergov'))} "
            f"| {rate(row.throughput.get('cybergov kept'))} "
            f"| {rate(row.throughput.get('oxigraph'))} |"
        )
    asked = [r for r in rows if r.question is not None]
    print()
    print(
        "median HTTP latency within raw + 2 ms, each request running its query: questions "
        f"{sum(r.question <= r.raw + 2 for r in asked)} of {len(asked)}, /sparql "
        f"{sum(r.sparql <= r.raw + 2 for r in rows)} of {len(rows)}; answers kept: questions "
        f"{sum(r.question_kept <= r.raw + 2 for r in asked if r.question_kept is not None)} "
        f"of {len(asked)}"
    )
    overheads = sorted(r.sparql - r.raw for r in rows)
    print(f"/sparql minus raw: median {statistics.median(overheads):+.2f} ms")
    compared = [r for r in rows if r.rdflib_note != "not run"]
    if compared:
        faster = sum(r.rdflib is None or (r.question or r.sparql) < r.rdflib for r in compared)
        print(f"faster than rdflib-endpoint: {faster} of {len(compared)}")
    heavy = [r for r in rows if r.throughput]
    if heavy:
        for server, how in (
            ("cybergov", "each request running its query"),
            ("cybergov kept", "answers kept"),
        ):
            ratios = [r.throughput[server] / r.throughput["oxigraph"] for r in heavy]
            print(
                f"throughput against the Oxigraph server on {len(heavy)} join-heavy questions "
                f"(raw >= {options.heavy_ms:g} ms), {how}: geometric mean "
                f"{geometric_mean(ratios):.2f}, lowest {min(ratios):.2f}, "
                f"at least as high on {sum(x >= 1 for x in ratios)}"
            )
