"""The servers the benchmarks and the tests start on 127.0.0.1: ``cybergov serve`` itself,
and the SPARQL servers of :mod:`cybergov.store.local_servers`.

The benchmarks run as scripts (``python benchmarks/questions.py``), so they import this
module as a neighbour, as they do ``synthetic``; the tests import it as
``benchmarks.servers``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

from cybergov.errors import StoreUnavailable
from cybergov.store.local_servers import (
    OxigraphServer,
    VirtuosoServer,
    free_port,
    stop_process,
    wait_until_answering,
)

#: Seconds a stopping ``cybergov serve`` is given before it is killed.
STOP_GRACE = 30


def wait_until_ready(url: str, process: subprocess.Popen[bytes], seconds: float = 600) -> None:
    """Return once ``url`` answers; end the run if the process exits or never answers."""
    try:
        wait_until_answering(url, process, seconds)
    except StoreUnavailable as error:
        process.kill()
        raise SystemExit(str(error)) from error


def cybergov_command() -> list[str]:
    """The ``cybergov`` command of this Python: its script when installed, else ``-m``."""
    script = Path(sys.executable).with_name("cybergov")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cybergov"]


def service_environment(settings: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without its ``CYBERGOV_`` settings, with ``settings``
    (``{"query_timeout": "2"}``) as ``CYBERGOV_QUERY_TIMEOUT`` and so on."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("CYBERGOV_")}
    return kept | {f"CYBERGOV_{name.upper()}": value for name, value in (settings or {}).items()}


class ServiceFailed(RuntimeError):
    """``cybergov serve`` exited, or did not become ready in time; the message holds its log."""


def _ready(base: str, process: subprocess.Popen[bytes], log: str, seconds: float) -> None:
    """Return once ``/healthz`` says 200 (the store answers).

    Raises:
        ServiceFailed: the process exited, or was not ready within ``seconds``.
    """
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            output = Path(log).read_text(errors="replace")
            raise ServiceFailed(f"cybergov serve exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise ServiceFailed(f"cybergov serve was not ready within {seconds:g} s")
        time.sleep(0.2)


@contextmanager
def cybergov_service(
    *arguments: str, settings: Mapping[str, str] | None = None, ready_within: float = 600
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``cybergov serve`` with ``arguments`` on a free port of 127.0.0.1, with ``settings``
    as its only ``CYBERGOV_`` environment (see :func:`service_environment`) and its dumps in
    a folder of its own unless they name one; yields its base URL and process once it is
    ready, and stops it (SIGTERM, then a kill) on exit.

    Raises:
        ServiceFailed: it exited, or was not ready within ``ready_within`` seconds.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (
        tempfile.TemporaryDirectory(prefix="cybergov-serve-") as folder,
        # The log goes to a file: a pipe nobody reads would fill up and stop the server.
        open(Path(folder) / "log", "wb") as log,
    ):
        dumps = {"dump_dir": str(Path(folder) / "dumps")}
        process = subprocess.Popen(
            [*cybergov_command(), "serve", "--port", str(port), *arguments],
            env=service_environment(dumps | dict(settings or {})),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _ready(base, process, log.name, ready_within)
            yield base, process
        finally:
            stop_process(process, STOP_GRACE)


__all__ = [
    "OxigraphServer",
    "ServiceFailed",
    "VirtuosoServer",
    "cybergov_command",
    "cybergov_service",
    "free_port",
    "service_environment",
    "wait_until_ready",
]
