"""A real Oxigraph server (from the ``oxigraph`` package) on 127.0.0.1, for the tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType


def oxigraph_binary() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    assert found, "the oxigraph server is missing; install the test extra: pip install -e '.[test]'"
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OxigraphServer:
    """``oxigraph serve`` in memory on a free port, stopped on exit.

    Args:
        union: start it with ``--union-default-graph`` (what cybergov expects).
        timeout: the server's own limit on a query, in seconds.
    """

    def __init__(self, *, union: bool = True, timeout: int = 10) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{self.port}"]
        if union:
            command.append("--union-default-graph")
        command += ["--timeout-s", str(timeout)]
        self.command = command
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def query_endpoint(self) -> str:
        return f"{self.base}/query"

    def start(self) -> OxigraphServer:
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited with {self.process.returncode}")
            try:
                request = urllib.request.Request(
                    f"{self.query_endpoint}?query=ASK%7B%7D",
                    headers={"Accept": "application/sparql-results+json"},
                )
                with urllib.request.urlopen(request, timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("oxigraph serve did not answer within 30 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def __enter__(self) -> OxigraphServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
