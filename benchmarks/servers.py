"""The servers the benchmarks start on 127.0.0.1 (see :mod:`cybergov.store.local_servers`).

The benchmarks run as scripts (``python benchmarks/questions.py``), so they import this
module as a neighbour, as they do ``synthetic``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from cybergov.errors import StoreUnavailable
from cybergov.store.local_servers import (
    OxigraphServer,
    VirtuosoServer,
    free_port,
    stop_process,
    wait_until_answering,
)


def wait_until_ready(url: str, process: subprocess.Popen[bytes], seconds: float = 600) -> None:
    """Return once ``url`` answers; end the run if the process exits or never answers."""
    try:
        wait_until_answering(url, process, seconds)
    except StoreUnavailable as error:
        process.kill()
        raise SystemExit(str(error)) from error


@contextmanager
def cybergov_service(
    settings: dict[str, str], *arguments: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``cybergov serve`` (the bundled graph in memory) on a free port of 127.0.0.1, with
    ``settings`` as its ``CYBERGOV_`` environment (nothing else of this one's) and its dumps
    in a folder of its own; yields its base URL and process, and stops it on exit."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CYBERGOV_")}
    with tempfile.TemporaryDirectory(prefix="cybergov-bench-") as dumps:
        environment |= {"CYBERGOV_DUMP_DIR": dumps}
        environment |= {f"CYBERGOV_{name.upper()}": value for name, value in settings.items()}
        command = [sys.executable, "-m", "cybergov", "serve", "--port", str(port)]
        process = subprocess.Popen(
            [*command, *arguments],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_ready(f"{base}/healthz", process)
            yield base, process
        finally:
            stop_process(process, 30)


__all__ = ["OxigraphServer", "VirtuosoServer", "cybergov_service", "free_port", "wait_until_ready"]
