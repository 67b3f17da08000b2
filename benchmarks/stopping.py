"""How fast a real ``cybergov serve`` stops on SIGTERM with a query in flight.

For one and for two server processes (``--workers``), the script starts the
service on the bundled graph (query deadline 60 s), sends it a query that no
engine finishes within that deadline, signals SIGTERM 1.5 s later and measures
the seconds until the query is answered (503, ``service_stopping``) and until
the server has exited. A server that waited for its queries would take the 60 s
of the deadline; the ratio column says how far below it the stop is. Medians
over ``--repeat`` runs.

Usage: ``python benchmarks/stopping.py [--repeat 5]``
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from servers import cybergov_service

QUERY_SECONDS = 60
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def one_stop(workers: int) -> tuple[float, float, int]:
    """Seconds from the signal to the answer and to the exit, and the answer's status."""
    settings = {"query_timeout": str(QUERY_SECONDS)}
    with cybergov_service(settings, "--workers", str(workers)) as (base, process):
        answered: list[tuple[int, float]] = []

        def ask() -> None:
            response = httpx.post(f"{base}/sparql", data={"query": ENDLESS}, timeout=120)
            answered.append((response.status_code, time.monotonic()))

        asking = threading.Thread(target=ask)
        asking.start()
        time.sleep(1.5)
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)
        exited = time.monotonic() - signalled
        asking.join(timeout=120)
    status, at = answered[0] if answered else (0, float("nan"))
    return at - signalled, exited, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (median)")
    options = parser.parse_args()
    print(f"stopping on SIGTERM, query deadline {QUERY_SECONDS} s, medians of {options.repeat}")
    print(
        "| server processes | query answered (s) | server exited (s) | statuses | exit/deadline |"
    )
    print("|---:|---:|---:|---|---:|")
    for workers in (1, 2):
        runs = [one_stop(workers) for _ in range(options.repeat)]
        answer = statistics.median(run[0] for run in runs)
        exit_ = statistics.median(run[1] for run in runs)
        statuses = ", ".join(sorted({str(run[2]) for run in runs}))
        print(
            f"| {workers} | {answer:.2f} | {exit_:.2f} | {statuses} | {exit_ / QUERY_SECONDS:.3f} |"
        )


if __name__ == "__main__":
    main()
