"""How ``cybergov serve`` runs: one server process, or several, and the store of each.

One process (the default) opens its store ready to serve and starts the query workers
before uvicorn starts its threads, so that the workers' replica is forked from it
(:func:`prepare`). Several server processes (``--workers N``, uvicorn's workers) each
hold a store object of their own: with the embedded store, its own copy of the data (in
memory) or its own handle on the on-disk store, which pyoxigraph lets one process write
or several read, never both. So several processes are sound only when none of them
writes, on the embedded store as on a SPARQL server (each process would apply its own
changes and refresh the derived facts on its own):

- no contribution can be accepted or withdrawn (no contributor or admin token is set);
- the data is not reloaded while serving (no ``--reload-data``).

:func:`refuse_unsound_process_count` refuses anything else. Then, in memory, every process loads
the same bundled data and serves an identical copy; on disk, the data is loaded once
before the processes start and each opens the store read-only; over a SPARQL server,
every process serves the server's data as it is. The processes share one dump folder,
so that they serve the same bytes for a graph version. Each process builds its
application from the ``CYBERGOV_*`` environment (:func:`app_from_environment`, also the
factory for other process managers: ``uvicorn --factory
cybergov.api.processes:app_from_environment``).

Stopping (SIGTERM or SIGINT) ends the queries in flight at once (they are answered 503)
and the server within :data:`GRACE_SECONDS`; the service then closes its store and query
workers in its lifespan, before uvicorn hands the signal back to the process, so that the
workers' checkpoints beside an on-disk store are removed.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI

from cybergov.api.app import create_app
from cybergov.errors import SettingsError
from cybergov.execution import QueryRunner
from cybergov.knowledge.ready import Use, open_ready
from cybergov.settings import Settings, load_settings
from cybergov.store.base import Store

log = logging.getLogger(__name__)

#: Where uvicorn finds the application of each server process.
APP_FACTORY = "cybergov.api.processes:app_from_environment"
#: Seconds a stopping server waits for the requests in flight before it cancels them.
GRACE_SECONDS = 1


def interrupt_on_stop(runner: QueryRunner) -> None:
    """Stop the runner's queries in flight as soon as the process is asked to stop (SIGTERM,
    SIGINT), then let the handler that was there (the server's) go on: queries would
    otherwise hold the server until their deadline.

    Call it from an application factory, which uvicorn calls once its own handlers are in
    place; elsewhere than in the main thread (a test client) it does nothing.
    """

    def chained(previous: Any) -> Callable[[int, FrameType | None], None]:
        def handler(number: int, frame: FrameType | None) -> None:
            runner.interrupt()
            if callable(previous):
                previous(number, frame)
            elif previous == signal.SIG_DFL:
                signal.signal(number, signal.SIG_DFL)
                signal.raise_signal(number)

        return handler

    for number in (signal.SIGINT, signal.SIGTERM):
        try:
            signal.signal(number, chained(signal.getsignal(number)))
        except ValueError:  # not the main thread
            return


def refuse_unsound_process_count(settings: Settings, processes: int) -> None:
    """Refuse a number of server processes whose stores could diverge.

    Raises:
        SettingsError: ``processes`` is below 1, or several processes would write, each
            on its own; the message says why and what to do.
    """
    if processes < 1:
        raise SettingsError(f"--workers must be at least 1, not {processes}")
    if processes == 1:
        return
    reasons = []
    if settings.contributor_tokens or settings.admin_tokens:
        reasons.append(
            "contributions are enabled (CYBERGOV_CONTRIBUTOR_TOKENS or CYBERGOV_ADMIN_TOKENS is "
            "set), and each process would store them on its own"
        )
    if settings.reload_data:
        reasons.append("--reload-data rewrites the data while serving, in one process only")
    if reasons:
        raise SettingsError(
            f"cannot run {processes} server processes (--workers {processes}): "
            f"{'; '.join(reasons)}. Run one (--workers 1), or serve read-only (no tokens, "
            "no --reload-data)."
        )


def prepare(settings: Settings) -> tuple[Store, QueryRunner]:
    """Open the store ready to serve and start the query workers, in this
    (single-threaded) process: the workers' replica is then forked from it, sharing its
    memory.

    Raises:
        SettingsError, StoreError, DataError: the store cannot be opened or loaded, or
            the workers cannot start.
    """
    store = open_ready(settings, Use.SERVE).store
    try:
        runner = QueryRunner(store, settings=settings).start()
    except BaseException:
        store.close()
        raise
    return store, runner


def app_from_environment() -> FastAPI:
    """The service for the settings of the environment, in a process of its own.

    Raises:
        SettingsError: a setting of the environment is invalid.
        StoreError, DataError: the store cannot be opened or loaded.
    """
    settings = load_settings()
    store, runner = prepare(settings)
    interrupt_on_stop(runner)
    return create_app(settings, store=store, runner=runner, own=True)


def shared_environment(settings: Settings) -> dict[str, str]:
    """Ready the data for several read-only server processes; return the environment
    they read their settings from.

    An on-disk store is loaded here, once, then closed, so that every process can open
    it read-only.

    Raises:
        StoreError, DataError: the store cannot be opened or the data loaded.
    """
    environment: dict[str, str] = {}
    if settings.endpoint:  # stateless processes over one SPARQL server
        environment["CYBERGOV_ENDPOINT"] = settings.endpoint
    else:
        environment["CYBERGOV_READ_ONLY"] = "true"
    if settings.store is not None:
        store = open_ready(settings, Use.LOAD).store
        log.info("loaded %d quads into %s", len(store), settings.store)
        store.close()
        del store  # release the store's lock before the processes open it
        environment["CYBERGOV_STORE"] = str(settings.store)
    if settings.dump_dir is not None:
        environment["CYBERGOV_DUMP_DIR"] = str(settings.dump_dir)
    if settings.public_base is not None:
        environment["CYBERGOV_PUBLIC_BASE"] = settings.public_base
    return environment


def listening_base(host: str, port: int) -> str:
    """The URL of the address the server listens on, for a service whose settings name no
    public base (a wildcard address stands for this machine's loopback)."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)  # noqa: S104
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def serve(settings: Settings, *, host: str, port: int, processes: int = 1) -> None:
    """Serve until stopped: in this process, or in ``processes`` uvicorn processes.

    Without a public base in the settings, the service's absolute URLs are made from the
    address it listens on (:func:`listening_base`).

    Raises:
        SettingsError: the number of processes is refused
            (see :func:`refuse_unsound_process_count`).
        StoreError, DataError: the store cannot be opened or loaded.
    """
    refuse_unsound_process_count(settings, processes)
    if settings.public_base is None:
        settings = settings.model_copy(update={"public_base": listening_base(host, port)})
        if host in ("0.0.0.0", "::", ""):  # noqa: S104 - naming them, not binding
            log.warning(
                "serving on every address without CYBERGOV_PUBLIC_BASE: absolute URLs name "
                "%s; set CYBERGOV_PUBLIC_BASE to the URL clients use",
                settings.public_base,
            )
    if processes == 1:
        store, runner = prepare(settings)
        try:
            # Owned by the service: its lifespan closes them (uvicorn re-raises the stopping
            # signal once it is done, and what follows here would not run).
            application = create_app(settings, store=store, runner=runner, own=True)

            def factory() -> FastAPI:  # called once uvicorn handles the signals
                interrupt_on_stop(runner)
                return application

            uvicorn.run(
                factory,
                factory=True,
                host=host,
                port=port,
                log_level="info",
                timeout_graceful_shutdown=GRACE_SECONDS,
            )
        finally:
            runner.close()
            store.close()
        return
    shared: Path | None = None
    try:
        if settings.dump_dir is None:
            shared = Path(tempfile.mkdtemp(prefix="cybergov-dumps-"))
            settings = settings.model_copy(update={"dump_dir": shared})
        os.environ.update(shared_environment(settings))
        uvicorn.run(
            APP_FACTORY,
            factory=True,
            host=host,
            port=port,
            workers=processes,
            log_level="info",
            timeout_graceful_shutdown=GRACE_SECONDS,
        )
    finally:
        if shared is not None:
            shutil.rmtree(shared, ignore_errors=True)
