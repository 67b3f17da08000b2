"""The servers the benchmarks start on 127.0.0.1: a free port, waiting until a server
answers, and the Oxigraph server (from the ``oxigraph`` package) loaded with a graph.

The benchmarks run as scripts (``python benchmarks/questions.py``), so they import this
module as a neighbour, as they do ``synthetic``.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_ready(url: str, process: subprocess.Popen[bytes], seconds: float = 600) -> None:
    """Return once ``url`` answers; stop the run if the process exits or never answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{url} did not start")


class OxigraphServer:
    """``oxigraph serve --union-default-graph`` in memory, loaded with the N-Quads at
    ``data``, its queries stopped after ``timeout`` seconds."""

    def __init__(self, data: Path, *, timeout: int = 600) -> None:
        self.data = data
        self.timeout = timeout
        self.base = ""
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def query_endpoint(self) -> str:
        return f"{self.base}/query"

    def start(self) -> OxigraphServer:
        beside = Path(sys.executable).parent / "oxigraph"
        binary = str(beside) if beside.exists() else shutil.which("oxigraph")
        if binary is None:
            raise SystemExit("the oxigraph server is missing: pip install -e '.[bench]'")
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        command = [binary, "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
        command += ["--timeout-s", str(self.timeout)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_until_ready(f"{self.query_endpoint}?query=ASK%7B%7D", self.process, 30)
        request = urllib.request.Request(
            f"{self.base}/store",
            data=self.data.read_bytes(),
            method="POST",
            headers={"Content-Type": "application/n-quads"},
        )
        with urllib.request.urlopen(request, timeout=3600):
            pass
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
