"""Large exports without the cycle collector's pauses.

An export makes hundreds of thousands of small, acyclic containers (a record's values, a
row, an object's properties) that live until the export ends. Python's cycle collector
runs again and again while they pile up, each time walking every one of them: two thirds
of the STIX export's time at 100k triples. Inside :func:`paused_collection` the collector
does not run (reference counting still frees everything at once); it is switched back on
when the last export running leaves, as it was before the first came in, with what the
exports kept counted as old (see :func:`_age`).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Pause:
    """How many exports run, and whether the collector ran before the first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.inside = 0
        self.was_enabled = True


_PAUSE = _Pause()


@contextmanager
def paused_collection() -> Iterator[None]:
    """Run the body with the cycle collector off (and restored after, also on errors)."""
    with _PAUSE.lock:
        if _PAUSE.inside == 0:
            _PAUSE.was_enabled = gc.isenabled()
            gc.disable()
        _PAUSE.inside += 1
    try:
        yield
    finally:
        with _PAUSE.lock:
            _PAUSE.inside -= 1
            if _PAUSE.inside == 0 and _PAUSE.was_enabled:
                _age()
                gc.enable()


def _age() -> None:
    """Count every object as old, without walking any (``freeze`` and ``unfreeze`` move the
    collector's lists whole): else the first allocation after the collector is switched on
    walks every young object the export kept (a second at a million triples), all at once.
    Cycles among them are found by the next full collection, as for any old object."""
    gc.freeze()
    gc.unfreeze()
