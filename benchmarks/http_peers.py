"""The servers the HTTP benchmark compares, each a process of its own on 127.0.0.1.

- cybergov: the service (``create_app``) on an in-memory store bulk-loaded with
  the benchmark's N-Quads, its query workers forked before uvicorn starts, as
  ``cybergov serve`` does, with its answer cache (as served) or without it
  (``cybergov-uncached``: every request runs its query);
- Oxigraph: ``oxigraph serve --union-default-graph`` (the ``oxigraph`` package),
  in memory, loaded through its Graph Store endpoint;
- rdflib-endpoint: its ``SparqlEndpoint`` over an rdflib ``Dataset`` whose default
  graph is the union. It answers in the event loop, so a query that runs past
  its budget blocks it: the process is then killed and started again.

Usage (internal): ``python http_peers.py cybergov|cybergov-uncached|rdflib FILE PORT``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from functools import partial
from pathlib import Path

from servers import free_port, wait_until_ready


class Peer:
    """A server in a child process of this script, restartable."""

    def __init__(self, kind: str, data: Path, ready_path: str) -> None:
        self.kind = kind
        self.data = data
        self.ready_path = ready_path
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.restarts = 0

    def start(self) -> Peer:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, __file__, self.kind, str(self.data), str(port)]
        )
        wait_until_ready(f"{self.url}{self.ready_path}", self.process)
        return self

    def restart(self) -> None:
        self.stop()
        self.restarts += 1
        self.start()

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def cybergov(data: Path, *, keep_answers: bool = True) -> Peer:
    """cybergov as ``cybergov serve`` runs it, or with its answer cache off."""
    kind = "cybergov" if keep_answers else "cybergov-uncached"
    return Peer(kind, data, "/healthz/live").start()


def rdflib_endpoint(data: Path) -> Peer:
    return Peer("rdflib", data, "/?query=ASK%7B%7D").start()


# --- the child processes --------------------------------------------------------------------


def serve_cybergov(data: Path, port: int, *, keep_answers: bool = True) -> None:
    import tempfile

    import uvicorn
    from pyoxigraph import RdfFormat

    from cybergov.api import create_app
    from cybergov.execution import QueryRunner
    from cybergov.settings import Settings
    from cybergov.store import EmbeddedStore

    store = EmbeddedStore()
    store.oxigraph.bulk_load(path=str(data), format=RdfFormat.N_QUADS)
    settings = Settings(
        dump_dir=Path(tempfile.mkdtemp(prefix="cybergov-bench-")),
        query_timeout=10,  # as the Oxigraph server is given (see http_queries.DEADLINE)
        max_rows=10**7,
        query_workers=os.cpu_count() or 2,
        **({} if keep_answers else {"answer_cache_bytes": 0}),
    )
    runner = QueryRunner(store, settings=settings).start()  # before uvicorn's threads
    app = create_app(settings, store=store, runner=runner)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def serve_rdflib(data: Path, port: int) -> None:
    import logging

    import uvicorn
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    logging.disable(logging.ERROR)  # rdflib-endpoint logs every failed query with a trace
    dataset = Dataset(default_union=True)
    dataset.parse(str(data), format="nquads")
    app = SparqlEndpoint(graph=dataset, cors_enabled=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    kind, file, number = sys.argv[1:4]
    servers = {
        "cybergov": serve_cybergov,
        "cybergov-uncached": partial(serve_cybergov, keep_answers=False),
        "rdflib": serve_rdflib,
    }
    servers[kind](Path(file), int(number))
