"""Answers kept for the next identical query, until the store is next written to.

A read-mostly graph is asked the same questions again and again (a page that
lists incidents, a dashboard polling a question). The runner keeps the answers
it wrote in a results format, which are immutable bytes, in a cache bounded in
bytes and emptied least recently used first. Each key carries the store's
generation (its count of writes): after a contribution, a withdrawal or a
reload, no earlier answer is reachable any more, and the old ones leave as new
ones come. Only the embedded store is cached: writes to a remote one may come
from elsewhere, unseen.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Protocol

from cachetools import LRUCache

#: What an entry costs beyond its body (the key, the record): a floor for tiny answers.
_ENTRY_OVERHEAD = 512


class Written(Protocol):
    """An answer as bytes: results written by the workers, or a whole HTTP answer."""

    @property
    def body(self) -> bytes: ...


def _size(answer: Written) -> int:
    return len(answer.body) + _ENTRY_OVERHEAD


class AnswerCache:
    """A thread-safe LRU cache of written answers, at most ``max_bytes`` in all.

    An answer larger than an eighth of the budget is not kept, so that one
    large answer never empties the cache of many small ones.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: LRUCache[Hashable, Written] = LRUCache(
            maxsize=max(max_bytes, 1), getsizeof=_size
        )
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Written | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
            return found

    def put(self, key: Hashable, answer: Written) -> None:
        if _size(answer) > self.max_bytes // 8:
            return
        with self._lock:
            self._entries[key] = answer

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
