"""The HTTP service against the raw engine and its peers, side by side in one run.

Two parts, for each size of synthetic graph:

``lookups``: linked-data lookups of the same incidents (the ontology, the
synthetic graph and the inferences the rules draw from it):

- ``raw engine``: pyoxigraph in this process, the least work a description
  needs (the resource's quads, then the label of each IRI it links to);
- ``describe_resource()``: the library function the service calls, in this process;
- ``HTTP <format>``: ``GET /id/incident/...`` on a real service (uvicorn, one
  worker, the same store in memory) from one keep-alive client, and the
  requests per second eight concurrent clients get.

``queries``: every question of the catalogue (with example parameters that
select synthetic rows, and with none when it needs none) and a few plain
SPARQL queries, on the bundled graph plus the synthetic one with every
inference (the data of ``questions.py``), run:

- on the raw engine, pyoxigraph in this process (the solutions read into Python);
- on cybergov over HTTP, as a named question (``GET /questions/<name>``, JSON)
  and as the same SPARQL text (``POST /sparql``, SPARQL JSON), with its answer
  cache off, so that every request runs its query; and the question again on
  cybergov as served, whose answer cache answers a repeated request;
- on the Oxigraph server (``oxigraph serve --union-default-graph``), SPARQL JSON;
- on rdflib-endpoint, SPARQL JSON, within a time budget per query (past it the
  server is restarted and the query marked as not finished).

Each time is the median of the runs, the engines taking turns; requests per
second are measured with several concurrent keep-alive clients on the
questions whose raw time is at least ``--heavy-ms`` (the join-heavy ones), for
cybergov's question route (without and with its answer cache) and for the
Oxigraph server.

Usage::

    python benchmarks/http_service.py                         # both parts, 10k and 100k
    python benchmarks/http_service.py --part queries --sizes 10000 --repeat 15
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from pyoxigraph import NamedNode, RdfFormat, serialize

from cybergov.exchange.resources import describe_resource
from cybergov.knowledge.ontology import ontology_modules
from cybergov.knowledge.rules import materialise, read_rules
from cybergov.store import EmbeddedStore
from servers import free_port, wait_until_ready
from synthetic import generate

LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
ID = "https://w3id.org/cybergov/id/"
FORMATS = {"Turtle": "text/turtle", "JSON-LD": "application/ld+json", "HTML": "text/html"}
CLIENTS = 8
#: Seconds one request may take before the run counts it failed.
TIMEOUT = 30.0


def build_store(size: int) -> EmbeddedStore:
    """The ontology, a synthetic graph of about ``size`` triples, and their inferences."""
    store = EmbeddedStore()
    for module in ontology_modules():
        store.replace_graph(
            module.graph, module.path.read_bytes(), format=RdfFormat.TURTLE, source=module.name
        )
    data = serialize(generate(size), format=RdfFormat.N_QUADS)
    store.oxigraph.bulk_load(data, RdfFormat.N_QUADS)
    materialise(store, read_rules())
    return store


def targets(size: int, count: int = 200) -> list[str]:
    """Incidents to look up, the same in every run."""
    incidents = max(10, size // 24)
    rng = random.Random(11)
    return [f"{ID}incident/synthetic-{rng.randrange(incidents)}" for _ in range(count)]


def raw_lookup(store: EmbeddedStore, iri: str) -> int:
    """The least a description needs: the quads of the resource and the labels it links to."""
    oxigraph = store.oxigraph
    quads = list(oxigraph.quads_for_pattern(NamedNode(iri), None, None, None))
    labels = [
        next(oxigraph.quads_for_pattern(q.object, LABEL, None, None), None)
        for q in quads
        if isinstance(q.object, NamedNode)
    ]
    return len(quads) + len(labels)


def timed(call: Callable[[str], object], iris: list[str], requests: int) -> list[float]:
    for iri in iris[:20]:
        call(iri)  # warm up
    durations = []
    for index in range(requests):
        iri = iris[index % len(iris)]
        started = time.perf_counter()
        call(iri)
        durations.append(time.perf_counter() - started)
    return durations


def throughput(url: str, accept: str, iris: list[str], seconds: float = 3.0) -> float:
    """Requests per second that ``CLIENTS`` concurrent keep-alive clients get."""
    counts = [0] * CLIENTS
    stop = time.perf_counter() + seconds

    def work(slot: int) -> None:
        with httpx.Client(base_url=url, headers={"Accept": accept}, timeout=TIMEOUT) as client:
            index = slot
            while time.perf_counter() < stop:
                client.get(iris[index % len(iris)].removeprefix("https://w3id.org/cybergov"))
                counts[slot] += 1
                index += CLIENTS

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(slot,)) for slot in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started)


def serve(size: int, port: int) -> None:
    """Run the service on the synthetic store (the child process of a benchmark)."""
    import tempfile

    import uvicorn

    from cybergov.api import create_app
    from cybergov.settings import Settings

    store = build_store(size)
    settings = Settings(dump_dir=Path(tempfile.mkdtemp(prefix="cybergov-bench-")))
    app = create_app(settings, store=store)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def start_server(size: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(size), "--port", str(port)]
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_ready(f"{url}/healthz/live", process, 300)
    return process, url


def row(name: str, durations: list[float], raw: float, rps: float | None = None) -> str:
    median = statistics.median(durations) * 1000
    p90 = statistics.quantiles(durations, n=10)[-1] * 1000
    single = 1 / statistics.median(durations)
    concurrent = f"{rps:>9,.0f}" if rps is not None else f"{'':>9}"
    return (
        f"| {name:<18} | {median:>9.3f} | {p90:>8.3f} | {median - raw:>+10.3f} "
        f"| {single:>9,.0f} | {concurrent} |"
    )


HEADER = [
    "| lookup             | median ms |   p90 ms | ms vs raw  | req/s (1) | req/s (8) |",
    "|--------------------|----------:|---------:|-----------:|----------:|----------:|",
]


def run(size: int, requests: int) -> list[str]:
    store = build_store(size)
    iris = targets(size)
    raw = timed(lambda iri: raw_lookup(store, iri), iris, requests)
    library = timed(lambda iri: describe_resource(store, iri), iris, requests)
    raw_median = statistics.median(raw) * 1000
    lines = [
        f"### {size:,} synthetic triples ({len(store):,} quads with ontology and inferences)",
        "",
        *HEADER,
        row("raw engine", raw, raw_median),
        row("describe_resource()", library, raw_median),
    ]
    process, url = start_server(size)
    try:
        with httpx.Client(base_url=url, timeout=TIMEOUT) as client:
            floor = timed(lambda _: client.get("/healthz/live"), iris, requests)
        lines.append(row("HTTP /healthz/live", floor, raw_median))
        for label, accept in FORMATS.items():
            with httpx.Client(base_url=url, headers={"Accept": accept}, timeout=TIMEOUT) as client:

                def fetch(iri: str, client: httpx.Client = client) -> None:
                    response = client.get(iri.removeprefix("https://w3id.org/cybergov"))
                    response.raise_for_status()

                durations = timed(fetch, iris, requests)
            rps = throughput(url, accept, iris)
            lines.append(row(f"HTTP {label}", durations, raw_median, rps))
    finally:
        process.terminate()
        process.wait(timeout=30)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["lookups", "queries", "all"], default="all")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--requests", type=int, default=400, help="lookups per format")
    parser.add_argument("--repeat", type=int, default=15, help="runs of each query")
    parser.add_argument("--rdflib-budget", type=float, default=10.0, help="seconds per query")
    parser.add_argument("--rdflib-repeat", type=int, default=3, help="runs on rdflib-endpoint")
    parser.add_argument("--rdflib-limit", type=int, default=100_000, help="largest size for it")
    parser.add_argument("--heavy-ms", type=float, default=2.0, help="raw ms of a heavy question")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=2.0, help="per throughput measure")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve is not None:
        serve(options.serve, options.port)
        return
    print(f"cybergov HTTP benchmark, {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    if options.part in ("lookups", "all"):
        print("Linked-data lookup GET /id/incident/...: median and 90th percentile latency, the")
        print("median's distance from the raw engine's, and requests per second for one client")
        print(f"and for {CLIENTS} concurrent clients. /healthz/live is the floor of any request.\n")
        for size in options.sizes:
            print("\n".join(run(size, options.requests)))
            print()
    if options.part in ("queries", "all"):
        from http_queries import measure

        print("Questions and SPARQL queries: median milliseconds per query (one keep-alive client,")
        print("the whole answer read), and requests per second of concurrent clients on the")
        print("join-heavy questions.\n")
        for size in options.sizes:
            measure(size, options)


if __name__ == "__main__":
    main()
