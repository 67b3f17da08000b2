"""The runner's side of the worker processes: start them, hand out queries, kill at deadlines.

A :class:`WorkerPool` starts one replica holder (see
:mod:`cybergov.execution.replica`: forked from this process when it is
single-threaded, so that its replica is the store itself, or started afresh
and given a copy), and has it fork ``size`` workers. A query takes an idle
worker, is sent to it and waited for until its deadline; past the deadline the
worker is killed with
``SIGKILL`` (the engine cannot be interrupted any other way) and replaced, and
the caller gets :class:`~cybergov.errors.QueryTimeout`. A worker that dies
under a query (a crash of the engine) is replaced the same way.

The replica follows the store: the store counts its writes (its
``generation``); before a query, a pool whose replica is older than the store
refreshes it (a new fork of the holder when this process is single-threaded,
else a dump for a store in memory, a new checkpoint for one on disk) and
replaces its idle workers; busy ones are replaced when they come back. All
methods are safe to call from many threads.

For an on-disk store, each checkpoint is a folder ``.replica-<store>-*`` beside the
store. They are removed when the pool closes, and those a process left behind (it was
killed) are swept when a pool starts on the store: only one process can write an on-disk
store, so no other pool can be using them. :meth:`WorkerPool.interrupt` stops the queries
in flight at once, for a service that is asked to stop.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import RdfFormat

import cybergov
from cybergov.errors import QueryStopped, QueryTimeout, ServiceStopping, StoreError
from cybergov.execution.replica import fork_holder
from cybergov.execution.wire import (
    Request,
    Serialised,
    WorkerGone,
    decode_answer,
    recv_frame,
    send_frame,
)
from cybergov.store.base import QueryAnswer
from cybergov.store.embedded import EmbeddedStore

log = logging.getLogger(__name__)

_START_SECONDS = 60.0
#: How long a quick command of the holder (fork a worker, use a read-only store) may take.
_COMMAND_SECONDS = 60.0
#: How long the holder may take to make a replica ready (reading or merging a whole store).
_PREPARE_SECONDS = 3600.0
#: How often a query waiting for a worker looks whether the service is stopping.
_POLL_SECONDS = 0.25
#: What a query in flight is told when the service stops under it.
_STOPPING = "the service is stopping: the query was stopped before it finished; try again"


def checkpoint_prefix(store: Path) -> str:
    """The prefix of the checkpoint folders of the on-disk store at ``store`` (beside it)."""
    return f".replica-{store.name}-"


def sweep_checkpoints(store: Path) -> int:
    """Remove the checkpoint folders a process left beside the store at ``store``; return
    how many. Call it only while holding the store for writing (no other process can then
    use them)."""
    swept = 0
    for folder in store.parent.glob(f"{checkpoint_prefix(store)}*"):
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
            swept += 1
    if swept:
        log.info("removed %d checkpoint folders left beside %s", swept, store)
    return swept


_HOLDER_MAIN = "import sys; from cybergov.execution.replica import main; main(sys.argv[1:])"


def single_threaded() -> bool:
    """Whether this process runs one thread only (Python's or any other), so may fork safely."""
    try:
        return threading.active_count() == 1 and len(os.listdir("/proc/self/task")) == 1
    except OSError:  # no /proc: threads of native code cannot be counted
        return False


def _reap(pid: int, seconds: float = 5.0) -> None:
    """Wait for a child to exit, killing it if it has not within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG)[0] != 0:
                return
            time.sleep(0.01)
            continue
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


@dataclass(slots=True, eq=False)
class _Worker:
    pid: int
    sock: socket.socket
    generation: int

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        self.sock.close()

    def stop(self) -> None:
        """Close the worker's socket: an idle worker reads the end of it and exits."""
        self.sock.close()


class WorkerPool:
    """Worker processes that answer queries on a replica of an embedded store.

    Args:
        store: the store to replicate.
        size: how many workers answer queries at the same time.
    """

    def __init__(self, store: EmbeddedStore, *, size: int, memory: int | None = None) -> None:
        self.store = store
        self.size = size
        self.memory = memory or None
        """Bytes each worker may take beyond the replica (an address-space limit)."""
        self.isolated = False
        self._holder: subprocess.Popen[bytes] | None = None
        self._holder_pid: int | None = None
        self.replication = ""
        """How the replica was made: "fork" (the store itself, shared) or "copy"."""
        self._control: socket.socket | None = None
        self._control_lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._busy: set[_Worker] = set()
        self._busy_lock = threading.Lock()
        self._generation = -1
        self._checkpoints: dict[int, Path] = {}
        self._closed = False
        self._stopping = False
        self._ready = False

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Start the replica holder, give it the store and fork the workers.

        Raises:
            StoreError: the holder could not be started or could not load the replica.
        """
        if self._control is not None:
            return
        if self.store.path is not None and not self.store.read_only:
            sweep_checkpoints(self.store.path)
        if self.store.path is None and single_threaded():
            self._fork_holder()
        else:
            self._spawn_holder()
        self.refresh()

    def _fork_holder(self) -> None:
        self._holder_pid, self._control = fork_holder(self.store.oxigraph)
        self._generation = self.store.generation
        self.replication = "fork"
        self._hello()
        ready = self._reply(_PREPARE_SECONDS)
        log.info("query replica: %s quads shared with the runner's process", ready.get("quads"))

    def _spawn_holder(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        package_root = str(Path(cybergov.__file__).resolve().parent.parent)
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_root, environment.get("PYTHONPATH")) if p
        )
        try:
            self._holder = subprocess.Popen(
                # Not "-m": the package imports the module first, and runpy warns of it.
                [sys.executable, "-c", _HOLDER_MAIN, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                env=environment,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as error:
            raise StoreError(f"cannot start the query workers: {error}") from error
        finally:
            theirs.close()
        self._control = ours
        self.replication = "copy"
        self._hello()

    def _hello(self) -> None:
        hello = self._reply(_START_SECONDS)
        self.isolated = bool(hello.get("isolated"))
        log.info(
            "query workers: replica by %s, network isolation %s",
            self.replication,
            "on" if self.isolated else "unavailable",
        )

    def _stop_holder(self) -> None:
        if self._control is not None:
            with contextlib.suppress(OSError):
                self._control.send(json.dumps({"op": "stop"}).encode())
            self._control.close()
            self._control = None
        if self._holder is not None:
            try:
                self._holder.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._holder.kill()
                self._holder.wait()
            self._holder = None
        if self._holder_pid is not None:
            _reap(self._holder_pid)
            self._holder_pid = None

    def interrupt(self) -> None:
        """Stop the queries in flight now (their callers get :class:`ServiceStopping`) and
        refuse new ones: the service is stopping. Safe to call from a signal handler."""
        self._stopping = True
        with self._busy_lock:
            busy = list(self._busy)
        for worker in busy:  # the caller waiting on its socket reads the end and returns
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGKILL)

    def close(self) -> None:
        """Stop every worker and the holder; remove the checkpoints."""
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                break
        with self._busy_lock:
            for worker in self._busy:
                worker.kill()
            self._busy.clear()
        self._stop_holder()
        for path in self._checkpoints.values():
            shutil.rmtree(path, ignore_errors=True)
        self._checkpoints.clear()

    # --- the replica -----------------------------------------------------------------------

    def _command(self, command: dict[str, Any], fds: list[int], seconds: float) -> dict[str, Any]:
        if self._control is None:
            raise StoreError("the query workers are not running (start the runner first)")
        socket.send_fds(self._control, [json.dumps(command).encode()], fds)
        return self._reply(seconds)

    def _reply(self, seconds: float) -> dict[str, Any]:
        assert self._control is not None
        self._control.settimeout(seconds)
        try:
            message = self._control.recv(1 << 16)
        except OSError as error:
            raise StoreError(
                f"the query workers' replica holder did not answer: {error}"
            ) from error
        if not message:
            raise StoreError("the query workers' replica holder stopped")
        reply: dict[str, Any] = json.loads(message)
        if not reply.get("ok"):
            raise StoreError(f"the query workers' replica holder failed: {reply.get('error')}")
        return reply

    def _send_snapshot(self, generation: int) -> None:
        oxigraph = self.store.oxigraph
        if self.store.path is None:
            read_end, write_end = os.pipe()
            with self._control_lock:
                assert self._control is not None
                socket.send_fds(
                    self._control,
                    [json.dumps({"op": "memory", "generation": generation}).encode()],
                    [read_end],
                )
                os.close(read_end)
                with os.fdopen(write_end, "wb") as stream, contextlib.suppress(BrokenPipeError):
                    oxigraph.dump(stream, RdfFormat.N_QUADS)
                reply = self._reply(_PREPARE_SECONDS)
            log.info(
                "query replica: %s quads in memory (generation %d)", reply.get("quads"), generation
            )
            return
        if self.store.read_only:  # nothing writes it: the workers read the store itself
            with self._control_lock:
                self._command({"op": "disk", "path": str(self.store.path)}, [], _COMMAND_SECONDS)
            log.info("query replica: the read-only store %s itself", self.store.path)
            return
        self.store.flush()
        folder = tempfile.mkdtemp(
            prefix=checkpoint_prefix(self.store.path), dir=self.store.path.parent
        )
        target = Path(folder) / "store"
        try:
            oxigraph.backup(str(target))
        except OSError as error:
            raise StoreError(
                f"cannot checkpoint the store for the query workers: {error}"
            ) from error
        self._checkpoints[generation] = target.parent
        with self._control_lock:
            self._command({"op": "disk", "path": str(target), "merge": True}, [], _PREPARE_SECONDS)
        log.info("query replica: checkpoint %s (generation %d)", target, generation)

    def refresh(self) -> None:
        """Bring the replica up to the store's generation and replace the idle workers.

        Raises:
            StoreError: the replica could not be made or the workers not forked.
        """
        with self._sync_lock:
            generation = self.store.generation
            if generation == self._generation and self._ready:
                return
            if generation != self._generation:
                if self.replication == "fork" and single_threaded():
                    with self._control_lock:
                        self._stop_holder()
                        self._fork_holder()
                else:
                    self._send_snapshot(generation)
            self._generation = generation
            self._ready = True
            while True:
                try:
                    self._idle.get_nowait().stop()
                except queue.Empty:
                    break
            for _ in range(self.size):
                self._idle.put(self._fork())
            self._drop_old_checkpoints()

    def _drop_old_checkpoints(self) -> None:
        with self._busy_lock:
            in_use = {w.generation for w in self._busy} | {self._generation}
        for generation in [g for g in self._checkpoints if g not in in_use]:
            shutil.rmtree(self._checkpoints.pop(generation), ignore_errors=True)

    def _fork(self) -> _Worker:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with self._control_lock:
                command = {"op": "fork", "memory": self.memory}
                reply = self._command(command, [theirs.fileno()], _COMMAND_SECONDS)
        finally:
            theirs.close()
        return _Worker(int(reply["pid"]), ours, self._generation)

    # --- queries ----------------------------------------------------------------------------

    def run(self, request: Request) -> QueryAnswer | Serialised:
        """Answer a request on a worker within ``request.seconds``.

        The time the replica takes to catch up with the store's writes does not
        count: the deadline bounds the wait for a worker and the query.

        Raises:
            QueryTimeout: the query ran past its deadline (its worker was killed),
                or no worker became free before it.
            QuerySyntaxError: the engine could not parse the query.
            QueryStopped: the worker died under the query (past its memory, or a crash of
                the engine); it was replaced.
            StoreError: the engine failed.
            ServiceStopping: the service is stopping (see :meth:`interrupt`).
        """
        if self._stopping:
            raise ServiceStopping(_STOPPING)
        if self._closed:
            raise StoreError("the query runner is closed")
        if self.store.generation != self._generation:
            self.refresh()
        deadline = time.monotonic() + request.seconds
        worker = self._acquire(deadline)
        try:
            send_frame(worker.sock, request.encode())
            frame = recv_frame(worker.sock, deadline=deadline)
        except TimeoutError:
            self._replace(worker)
            raise QueryTimeout(
                f"the query ran past its deadline of {request.seconds:g} s and was stopped"
            ) from None
        except (WorkerGone, OSError) as error:
            self._replace(worker)
            if self._stopping:
                raise ServiceStopping(_STOPPING) from None
            budget = f" ({self.memory / 1e9:.1f} GB)" if self.memory else ""
            raise QueryStopped(
                f"the query was stopped: it used more memory than a query may{budget}, or "
                "brought down the process that ran it; it was not answered"
            ) from error
        if request.nice:
            self._replace(worker)  # it ends after a query at a lower priority
        else:
            self._release(worker)
        return decode_answer(frame)

    def _acquire(self, deadline: float) -> _Worker:
        while True:
            try:
                wait = min(max(deadline - time.monotonic(), 0.0), _POLL_SECONDS)
                worker = self._idle.get(timeout=wait)
            except queue.Empty:
                if self._stopping:
                    raise ServiceStopping(_STOPPING) from None
                if time.monotonic() < deadline:
                    continue
                raise QueryTimeout(
                    f"all {self.size} query workers stayed busy until the query's deadline"
                ) from None
            if worker.generation == self._generation:
                break
            worker.stop()
            self._idle.put(self._fork())
        with self._busy_lock:
            self._busy.add(worker)
        return worker

    def _release(self, worker: _Worker) -> None:
        with self._busy_lock:
            self._busy.discard(worker)
        if self._closed:
            worker.stop()
        elif worker.generation != self._generation:
            worker.stop()
            self._idle.put(self._fork())
            self._drop_old_checkpoints()
        else:
            self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        with self._busy_lock:
            self._busy.discard(worker)
        worker.kill()
        if not self._closed and not self._stopping:
            self._idle.put(self._fork())
