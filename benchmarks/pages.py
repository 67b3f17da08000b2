"""Page timings of the research pages on a synthetic graph (100,000 triples by default).

A real service (uvicorn, one worker, the store in memory: ``http_service.py --serve``)
over the ontology, the synthetic graph and its inferences. Each page is asked for once
cold (the first request after the service started: what is computed once per graph
version, such as the home page's charts or the incident browser's records, is computed
then), then ``--repeat`` times warm; the median is shown, beside the floor of any request
(``/healthz/live``) and the raw engine's time for the page's main query (pyoxigraph in
this process) where a page has one.

Usage: ``python benchmarks/pages.py [--size 100000] [--repeat 15]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import httpx

from cybergov.explore.incidents import read_incidents
from cybergov.explore.network import neighbourhood
from cybergov.explore.search import SearchIndex
from cybergov.explore.timelines import timeline
from http_service import build_store, start_server

ID = "https://w3id.org/cybergov/id/"
HTML = {"Accept": "text/html"}


def pages(size: int) -> list[tuple[str, str]]:
    return [
        ("home (charts)", "/"),
        ("incident browser", "/incidents"),
        ("incident browser, 2 facets", "/incidents?year=2015&sector=sector%3Aenergy"),
        ("incident browser as CSV", "/incidents?format=csv"),
        ("question form + 50 rows", "/questions/incidents"),
        ("counting question + chart", "/questions/incidents-by-year"),
        ("timeline of a state", "/timeline/state/S001"),
        ("timeline of an incident", "/timeline/incident/synthetic-7"),
        ("network of a state", "/network/state/S001"),
        ("network of an incident", "/network/incident/synthetic-7"),
        ("search page", "/search?q=synthetic+group+12"),
        ("search as you type (JSON)", "/search?q=synth&format=json&limit=8"),
        ("resource page", "/id/incident/synthetic-7"),
        ("SPARQL editor", "/sparql?example=incidents"),
    ]


def raw_times(size: int, repeat: int) -> dict[str, float]:
    """The library's work behind some pages, in this process (no HTTP, no template)."""
    store = build_store(size)
    index = SearchIndex(store)
    index.build()
    work = {
        "incident browser": lambda: read_incidents(store),
        "timeline of a state": lambda: timeline(store, f"{ID}state/S001"),
        "timeline of an incident": lambda: timeline(store, f"{ID}incident/synthetic-7"),
        "network of a state": lambda: neighbourhood(store, f"{ID}state/S001"),
        "network of an incident": lambda: neighbourhood(store, f"{ID}incident/synthetic-7"),
        "search page": lambda: index.search("synthetic group 12"),
    }
    found = {}
    for name, call in work.items():
        call()
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
        found[name] = statistics.median(times) * 1000
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    options = parser.parse_args()
    print(f"cybergov page timings, {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    raw = raw_times(options.size, options.repeat)
    process, url = start_server(options.size)
    try:
        with httpx.Client(base_url=url, headers=HTML, timeout=300) as client:
            floor = []
            for _ in range(options.repeat):
                started = time.perf_counter()
                client.get("/healthz/live")
                floor.append(time.perf_counter() - started)
            print(f"### {options.size:,} synthetic triples; /healthz/live "
                  f"{statistics.median(floor) * 1000:.1f} ms\n")  # fmt: skip
            print("| page | path | status | KB | cold ms | warm ms (median) | library ms |")
            print("|---|---|---:|---:|---:|---:|---:|")
            for name, path in pages(options.size):
                started = time.perf_counter()
                response = client.get(path)
                cold = (time.perf_counter() - started) * 1000
                warm = []
                for _ in range(options.repeat):
                    started = time.perf_counter()
                    client.get(path)
                    warm.append(time.perf_counter() - started)
                library = f"{raw[name]:.1f}" if name in raw else ""
                print(
                    f"| {name} | `{path}` | {response.status_code} | {len(response.content) // 1024} "
                    f"| {cold:.0f} | {statistics.median(warm) * 1000:.1f} | {library} |"
                )
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
