"""Fair use of the query workers: a share for ad-hoc SPARQL, a budget per client, a queue
with its own timeout.

The query workers are few (one per core). Queries of the catalogue (named
questions, the pages built on them) are bounded by their authors and mostly
answered from the cache; ad-hoc SPARQL is whatever a client writes, and two
clients looping their most expensive query would hold every worker. So, as the
public SPARQL services do (WDQS, Fuseki):

* ad-hoc SPARQL may hold at most ``sparql_workers`` workers at once (by default
  all but one), so that one worker is always left to the catalogue;
* each client (a token, else an address) may run at most ``client_queries``
  ad-hoc queries at once and ``client_query_seconds`` seconds of ad-hoc query time
  per minute; past either it is refused with 429 and ``Retry-After``;
* a query that waits longer than ``queue_timeout`` for its share is refused with
  503 and ``Retry-After`` (the catalogue's queries wait for a worker within their
  own deadline, as before).
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from cybergov.errors import QueueTimeout, QuotaExceeded

#: The lane of ad-hoc SPARQL; every other query is the catalogue's.
SPARQL = "sparql"
WINDOW = 60.0
"""Seconds over which a client's query time is counted."""


@dataclass(frozen=True, slots=True)
class Fairness:
    """The limits, from the settings."""

    sparql_workers: int
    client_queries: int
    client_query_seconds: float
    queue_timeout: float


class Admission:
    """Admits ad-hoc queries to the workers within their share and their client's budget.

    Safe to use from many threads.
    """

    def __init__(self, fairness: Fairness) -> None:
        self.fairness = fairness
        self._share = threading.BoundedSemaphore(fairness.sparql_workers)
        self._lock = threading.Lock()
        self._running: dict[str, int] = defaultdict(int)
        self._spent: dict[str, deque[tuple[float, float]]] = defaultdict(deque)

    def _spent_now(self, client: str, now: float) -> float:
        spent = self._spent[client]
        while spent and spent[0][0] < now - WINDOW:
            spent.popleft()
        return sum(seconds for _, seconds in spent)

    def _admit(self, client: str) -> None:
        limits = self.fairness
        with self._lock:
            now = time.monotonic()
            if self._running[client] >= limits.client_queries:
                raise QuotaExceeded(
                    f"this client runs {self._running[client]} queries already, the most "
                    f"allowed at once; send the next when one has finished",
                    retry_after=1,
                )
            spent = self._spent_now(client, now)
            if spent >= limits.client_query_seconds:
                oldest = self._spent[client][0][0]
                raise QuotaExceeded(
                    f"this client used {spent:.0f} s of query time in the last minute, the "
                    f"most allowed is {limits.client_query_seconds:g} s",
                    retry_after=max(1, math.ceil(oldest + WINDOW - now)),
                )
            self._running[client] += 1

    def _done(self, client: str, seconds: float) -> None:
        with self._lock:
            self._running[client] -= 1
            if not self._running[client]:
                del self._running[client]
            self._spent[client].append((time.monotonic(), seconds))

    @contextmanager
    def enter(self, lane: str, client: str | None) -> Iterator[None]:
        """Hold a place for one query of ``lane`` from ``client`` while it runs.

        Raises:
            QuotaExceeded: the client runs too many queries or spent its minute's time.
            QueueTimeout: no place became free within the queue timeout.
        """
        if lane != SPARQL:
            yield
            return
        key = client or "anonymous"
        self._admit(key)
        ran = 0.0
        try:
            if not self._share.acquire(timeout=self.fairness.queue_timeout):
                raise QueueTimeout(
                    f"the workers that run ad-hoc SPARQL stayed busy for "
                    f"{self.fairness.queue_timeout:g} s; try again shortly",
                    retry_after=max(1, math.ceil(self.fairness.queue_timeout)),
                )
            started = time.monotonic()
            try:
                yield
            finally:
                ran = time.monotonic() - started
                self._share.release()
        finally:
            self._done(key, ran)


__all__ = ["SPARQL", "Admission", "Fairness"]
