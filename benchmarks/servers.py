"""The servers the benchmarks start on 127.0.0.1 (see :mod:`cybergov.store.local_servers`).

The benchmarks run as scripts (``python benchmarks/questions.py``), so they import this
module as a neighbour, as they do ``synthetic``.
"""

from __future__ import annotations

import subprocess

from cybergov.errors import StoreUnavailable
from cybergov.store.local_servers import (
    OxigraphServer,
    VirtuosoServer,
    free_port,
    wait_until_answering,
)


def wait_until_ready(url: str, process: subprocess.Popen[bytes], seconds: float = 600) -> None:
    """Return once ``url`` answers; end the run if the process exits or never answers."""
    try:
        wait_until_answering(url, process, seconds)
    except StoreUnavailable as error:
        process.kill()
        raise SystemExit(str(error)) from error


__all__ = ["OxigraphServer", "VirtuosoServer", "free_port", "wait_until_ready"]
