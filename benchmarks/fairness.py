"""Named questions under two hostile clients: do the query workers stay fair?

A real service (``cybergov serve``, the bundled graph in memory, two query workers, its
answer cache off so that every question runs its query) is asked named questions
at a steady rate (25 a second by default) for a while, first alone, then while
two clients, from addresses of their own (127.0.0.2 and 127.0.0.3), loop the
most expensive SPARQL they can write (a cartesian product that runs to its
deadline). For both runs the script prints the median and 99th percentile of the
questions' response times and how many failed, and what the hostile clients got.

Usage: ``python benchmarks/fairness.py [--rate 25] [--seconds 20]``
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from servers import cybergov_service

QUESTIONS = [
    "/questions/incidents-by-year",
    "/questions/incidents-by-type",
    "/questions/responses-by-kind",
    "/questions/attributors",
]
HOSTILE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def steady(url: str, rate: float, seconds: float) -> tuple[list[float], collections.Counter[int]]:
    """Questions sent at ``rate`` a second for ``seconds``, each on a thread of its own."""
    times: list[float] = []
    statuses: collections.Counter[int] = collections.Counter()
    lock = threading.Lock()
    client = httpx.Client(base_url=url, timeout=60, limits=httpx.Limits(max_connections=200))

    def ask(path: str) -> None:
        started = time.perf_counter()
        try:
            status = client.get(path).status_code
        except httpx.HTTPError:
            status = 0
        with lock:
            times.append(time.perf_counter() - started)
            statuses[status] += 1

    threads = []
    start = time.perf_counter()
    for number in range(int(rate * seconds)):
        delay = start + number / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        thread = threading.Thread(target=ask, args=(QUESTIONS[number % len(QUESTIONS)],))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    client.close()
    return times, statuses


def hostile(url: str, address: str, stop: threading.Event, got: collections.Counter[int]) -> None:
    """Loop the expensive query from ``address`` until ``stop``, as fast as answers come."""
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=url, timeout=60, transport=transport) as client:
        while not stop.is_set():
            try:
                status = client.post("/sparql", data={"query": HOSTILE}).status_code
            except httpx.HTTPError:
                status = 0
            got[status] += 1
            if status == 429:  # a hostile client does not wait as Retry-After asks
                time.sleep(0.05)


def summary(times: list[float], statuses: collections.Counter[int]) -> dict[str, Any]:
    ordered = sorted(times)
    return {
        "requests": len(ordered),
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "errors": sum(n for status, n in statuses.items() if status != 200),
        "statuses": dict(statuses),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    with cybergov_service(settings={"answer_cache_bytes": "0", "query_workers": "2"}) as (url, _):
        steady(url, args.rate, 3)  # warm up
        alone = summary(*steady(url, args.rate, args.seconds))
        stop = threading.Event()
        got: collections.Counter[int] = collections.Counter()
        attackers = [
            threading.Thread(target=hostile, args=(url, address, stop, got))
            for address in ("127.0.0.2", "127.0.0.3")
        ]
        for attacker in attackers:
            attacker.start()
        time.sleep(2)
        attacked = summary(*steady(url, args.rate, args.seconds))
        stop.set()
        for attacker in attackers:
            attacker.join()
    print(f"Named questions at {args.rate:g}/s for {args.seconds:g} s, answer cache off")
    print()
    print("| run | requests | p50 | p99 | errors |")
    print("|---|---:|---:|---:|---:|")
    for name, row in (("alone", alone), ("two hostile clients", attacked)):
        print(
            f"| {name} | {row['requests']} | {row['p50']:.0f} ms | {row['p99']:.0f} ms "
            f"| {row['errors']} |"
        )
    print()
    print(f"p99 ratio: {attacked['p99'] / alone['p99']:.2f}x; hostile clients got {dict(got)}")


if __name__ == "__main__":
    main()
