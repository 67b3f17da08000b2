"""Watching the data folders while serving, so that a curator sees an edit on the next request."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import anyio.to_thread

from cybergov.api.service import Service
from cybergov.settings import data_root

log = logging.getLogger(__name__)

#: What the loader reads: a change to any of these files reloads the data.
WATCHED = ("ontology/**/*.ttl", "kg/*.ttl", "queries/rules/*.rq", "shapes/*.ttl")


def fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    """The name, modification time and size of every watched file."""
    found = []
    for pattern in WATCHED:
        for path in root.glob(pattern):
            try:
                stat = path.stat()
            except OSError:  # removed between the glob and the stat
                continue
            found.append((path.relative_to(root).as_posix(), stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(found))


async def watch_data(service: Service, *, interval: float = 1.0) -> None:
    """Reload the data whenever a watched file changes, until cancelled."""
    root = service.root or data_root()
    seen = await anyio.to_thread.run_sync(fingerprint, root)
    log.info("watching %s for changes to the data", root)
    while True:
        await asyncio.sleep(interval)
        now = await anyio.to_thread.run_sync(fingerprint, root)
        if now != seen:
            seen = now
            await anyio.to_thread.run_sync(service.reload_data)
