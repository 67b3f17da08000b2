"""When several worker processes may serve, and how their stores are prepared.

Each uvicorn worker is a process with its own store object. With the embedded
store that means its own copy of the data (in memory) or its own handle on
the on-disk store, which pyoxigraph lets one process write or several read,
never both. So several workers are sound only when none of them writes:

- no contribution can be accepted (no contributor or admin token is set);
- the data is not reloaded while serving (no ``--reload-data``).

Then, in memory, every worker loads the same bundled data and serves an
identical copy; on disk, the data is loaded once before the workers start
and each worker opens the store read-only. A service that accepts
contributions runs one worker on the embedded store (or, stateless, as many
as wanted over a remote SPARQL store).
"""

from __future__ import annotations

from cybergov.errors import SettingsError
from cybergov.settings import Settings


def check_workers(settings: Settings, workers: int) -> None:
    """Refuse a number of workers whose stores could diverge.

    Raises:
        SettingsError: ``workers`` is below 1, or several workers would each write
            their own copy of the data; the message says why and what to do.
    """
    if workers < 1:
        raise SettingsError(f"--workers must be at least 1, not {workers}")
    if workers == 1:
        return
    reasons = []
    if settings.contributor_tokens or settings.admin_tokens:
        reasons.append(
            "contributions are enabled (CYBERGOV_CONTRIBUTOR_TOKENS or CYBERGOV_ADMIN_TOKENS is "
            "set), and each worker would store them in its own copy of the data"
        )
    if settings.reload_data:
        reasons.append("--reload-data rewrites the data while serving, in one process only")
    if reasons:
        raise SettingsError(
            f"cannot run {workers} workers on the embedded store: {'; '.join(reasons)}. "
            "Run one worker, or serve read-only (no tokens, no --reload-data)."
        )
