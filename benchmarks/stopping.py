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
import math
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # as a script too

from benchmarks.servers import cybergov_service

#: The query deadline of the servers stopped here.
QUERY_SECONDS = 60
#: A query no engine finishes on the bundled graph within :data:`QUERY_SECONDS`.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: Seconds to wait for the answer and for the exit before giving up.
PATIENCE = 120


@dataclass(frozen=True)
class Stop:
    """What a SIGTERM sent while a query ran did: the query's answer (None if none came),
    and the seconds from the signal to that answer (NaN if none) and to the exit."""

    answer: httpx.Response | None
    answered: float
    exited: float


def stop_during_a_query(base: str, process: subprocess.Popen[bytes]) -> Stop:
    """Send :data:`ENDLESS` to the service at ``base``, SIGTERM its ``process`` 1.5 s later
    (the query is running in a worker by then), and wait for the exit and the answer.

    Raises:
        subprocess.TimeoutExpired: the server did not exit within :data:`PATIENCE` seconds.
    """
    answered: list[tuple[httpx.Response, float]] = []

    def ask() -> None:
        response = httpx.post(f"{base}/sparql", data={"query": ENDLESS}, timeout=PATIENCE)
        answered.append((response, time.monotonic()))

    asking = threading.Thread(target=ask)
    asking.start()
    time.sleep(1.5)
    signalled = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=PATIENCE)
    exited = time.monotonic() - signalled
    asking.join(timeout=PATIENCE)
    if not answered:
        return Stop(None, math.nan, exited)
    response, at = answered[0]
    return Stop(response, at - signalled, exited)


def one_stop(workers: int) -> Stop:
    """One stop of a service of ``workers`` server processes."""
    settings = {"query_timeout": str(QUERY_SECONDS)}
    with cybergov_service("--workers", str(workers), settings=settings) as (base, process):
        return stop_during_a_query(base, process)


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
        answer = statistics.median(run.answered for run in runs)
        exit_ = statistics.median(run.exited for run in runs)
        statuses = ", ".join(
            sorted({str(run.answer.status_code if run.answer else 0) for run in runs})
        )
        print(
            f"| {workers} | {answer:.2f} | {exit_:.2f} | {statuses} | {exit_ / QUERY_SECONDS:.3f} |"
        )


if __name__ == "__main__":
    main()
