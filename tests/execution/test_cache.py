"""The answer cache: bounded in bytes, least recently used out first, large answers not kept."""

from __future__ import annotations

from cybergov.execution.cache import AnswerCache
from cybergov.execution.wire import Serialised


def answer(size: int) -> Serialised:
    return Serialised(b"x" * size, "json", truncated=False, boolean=False)


def test_the_least_recently_used_answers_leave_first_and_the_bound_holds():
    cache = AnswerCache(max_bytes=40_000)
    for n in range(20):
        cache.put(n, answer(4_000))
        cache.get(0)  # the first one stays in use
    assert cache.get(0) is not None
    assert cache.get(1) is None and cache.get(19) is not None
    assert len(cache) * 4_000 <= 40_000


def test_an_answer_over_an_eighth_of_the_budget_is_not_kept():
    cache = AnswerCache(max_bytes=80_000)
    cache.put("large", answer(20_000))
    cache.put("small", answer(1_000))
    assert cache.get("large") is None and cache.get("small") is not None
    assert (cache.hits, cache.misses) == (1, 1)
