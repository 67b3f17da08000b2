"""Peak memory of the attack queries: the query workers under their memory cap.

On the bundled graph (22,000 statements, with the inferences), the runner the
service uses (two workers, their replica a copy, as in a service with its
threads running) is given the attack queries: a 60-byte cartesian ``ORDER BY``
(which must hold the square of the graph to sort it) and a four-way cartesian
``COUNT`` (which runs to its deadline in constant memory). For each, the time,
the peak resident memory of the workers (sampled every 20 ms), that of this
process, and how the query ended.

Usage: ``python benchmarks/query_memory.py [--timeout 30] [--memory-bytes 1500000000]``
"""

from __future__ import annotations

import argparse
import os
import threading
import time

from cybergov.errors import CybergovError
from cybergov.execution import QueryRunner
from cybergov.knowledge.load import load
from cybergov.settings import Settings
from cybergov.store import EmbeddedStore

QUERIES = {
    "cartesian ORDER BY": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f",
    "four-way cartesian COUNT": (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    ),
}


def resident(pid: int) -> int:
    """Resident bytes of a process (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return 0
    return 0


def measure(runner: QueryRunner, query: str) -> tuple[float, int, str]:
    """Seconds, the workers' peak resident bytes, and how the query ended."""
    pool = runner._pool
    assert pool is not None
    workers = {worker.pid for worker in list(pool._idle.queue)}
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], *(resident(pid) for pid in workers))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.monotonic()
    try:
        runner.query(query)
        ended = "answered"
    except CybergovError as error:
        ended = type(error).__name__
    finally:
        done.set()
        sampler.join()
    return time.monotonic() - started, peak[0], ended


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--memory-bytes", type=int, default=1_500_000_000)
    args = parser.parse_args()
    store = EmbeddedStore()
    load(store)
    threading.Thread(target=lambda: None).start()  # a threaded process: the replica is a copy
    settings = Settings(query_timeout=args.timeout, query_memory_bytes=args.memory_bytes)
    print("| query | seconds | workers' peak RSS | this process | ended |")
    print("|---|---:|---:|---:|---|")
    with QueryRunner(store, settings=settings) as runner:
        for name, query in QUERIES.items():
            seconds, peak, ended = measure(runner, query)
            print(
                f"| {name} | {seconds:.1f} | {peak / 1e9:.2f} GB "
                f"| {resident(os.getpid()) / 1e9:.2f} GB | {ended} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
