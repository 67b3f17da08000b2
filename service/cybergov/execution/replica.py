"""The processes that run queries: a replica holder and the workers it forks.

The replica holder stays single-threaded, so that it can fork safely. It
holds a read-only replica of the store. When the runner's process is
single-threaded (the command line; a service before it starts its threads),
the holder is forked from it and its replica is the store itself, shared
copy-on-write: nothing is copied, and the engine finds its data laid out
exactly as in the runner's process (measured: a store reloaded from a dump
answered some questions 20 % slower, the order of loading shaping its
indexes). Otherwise the holder is started afresh (``python -m
cybergov.execution.replica FD``) and holds, for an in-memory store, a copy
loaded from a dump the runner streams to it; for an on-disk store, the path of
a checkpoint (``Store.backup``) that each worker opens read-only. For
each worker the runner asks for, it forks: the child answers queries on a
socket the runner handed over, one at a time, until the runner closes it or
kills it at a query's deadline.

The replica's default graph is made to hold each statement of its named
graphs once (for an in-memory replica, a fork's copy-on-write pages or a
checkpoint; not for a read-only store, which cannot be written), and queries
without a dataset of their own read it: the union of the named graphs would
match a statement held in several graphs once per graph, and a question
joining many patterns on it would cost the power of that number, and answer
with repeated rows.

Each worker runs queries on a thread with a large stack, so that a deep query
that slipped past screening cannot overflow the engine's stack, and arms an
alarm past each query's deadline, so that a worker whose runner has gone dies
by itself. Where the system allows it, the holder moves into a network
namespace of its own before forking: the engine in the workers then cannot
reach any host, even if a query asked for it.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import io
import json
import logging
import math
import os
import resource
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Any

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    Quad,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    parse_query_results,
)
from pyoxigraph import Store as OxigraphStore

from cybergov.execution.wire import Request, WorkerGone, answer_frame, recv_frame, send_frame
from cybergov.store.embedded import evaluation_error, query_syntax_error
from cybergov.store.factory import disk_store, memory_store

log = logging.getLogger(__name__)

WORKER_STACK = 512 << 20
"""Stack of the thread that runs queries (pyoxigraph recurses through deep queries)."""
ALARM_GRACE = 5
"""Seconds past a query's deadline after which a worker kills itself."""
_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000


class _Capped:
    """A binary sink that stops a serialiser after a number of lines or of bytes."""

    def __init__(self, lines: int | None, max_bytes: int | None = None) -> None:
        self.buffer = bytearray()
        self.lines = 0
        self.limit = lines
        self.max_bytes = max_bytes
        self.full = False

    def write(self, data: bytes) -> int:
        self.buffer += data
        if self.max_bytes is not None and len(self.buffer) > self.max_bytes:
            self.full = True
            raise BufferError("enough bytes")
        if self.limit is not None:
            self.lines += data.count(b"\n")
            if self.lines > self.limit:
                self.full = True
                raise BufferError("enough lines")
        return len(data)

    def flush(self) -> None:
        return None

    def take(self) -> bytes:
        if not self.full:
            return bytes(self.buffer)
        end = len(self.buffer) - 1
        if self.max_bytes is not None and len(self.buffer) > self.max_bytes:
            end = self.buffer.rfind(b"\n", 0, self.max_bytes)  # the last whole line within
        if self.limit is not None:
            line_end = -1
            for _ in range(self.limit):
                found = self.buffer.find(b"\n", line_end + 1)
                if found < 0:
                    break
                line_end = found
            end = min(end, line_end) if line_end >= 0 else end
        return bytes(self.buffer[: end + 1])


#: The results formats a worker writes answers in, by name.
OUTPUTS = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}


def _written(result: Any, output: str) -> bytes:
    """An answer (solutions read back from TSV, or a boolean) in a results format."""
    sink = io.BytesIO()
    result.serialize(sink, OUTPUTS[output])
    return sink.getvalue()


def _serialise(
    result: Any, max_rows: int | None, output: str | None = None, max_bytes: int | None = None
) -> bytes:
    if isinstance(result, QuerySolutions):
        # The header is a line.
        sink = _Capped(None if max_rows is None else max_rows + 1, max_bytes)
        try:
            result.serialize(sink, QueryResultsFormat.TSV)  # type: ignore[arg-type]
        except (BufferError, OSError):
            if not sink.full:
                raise
        if output is not None:
            # The cap is counted on TSV lines; the answer is then written in the format asked.
            tsv = sink.take()
            body = tsv
            if output != "tsv":
                body = _written(parse_query_results(tsv, QueryResultsFormat.TSV), output)
            header = {"kind": "serialised", "format": output, "truncated": sink.full}
            return answer_frame({**header, "boolean": False}, body)
        return answer_frame({"kind": "solutions", "truncated": sink.full}, sink.take())
    if isinstance(result, QueryTriples):
        sink = _Capped(max_rows, max_bytes)
        try:
            result.serialize(sink, RdfFormat.N_TRIPLES)  # type: ignore[arg-type]
        except (BufferError, OSError):
            if not sink.full:
                raise
        return answer_frame({"kind": "triples", "truncated": sink.full}, sink.take())
    if output is not None:
        header = {"kind": "serialised", "format": output, "truncated": False, "boolean": True}
        return answer_frame(header, _written(result, output))
    return answer_frame({"kind": "boolean", "value": bool(result)})


def _syntax_header(error: SyntaxError) -> dict[str, Any]:
    translated = query_syntax_error(error)
    return {
        "kind": "error",
        "type": "syntax",
        "message": str(translated),
        "line": translated.line,
        "column": translated.column,
    }


def merge_default_graph(store: OxigraphStore) -> None:
    """Put each statement of the named graphs once into the default graph of ``store``."""
    default = DefaultGraph()
    for graph in list(store.named_graphs()):
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
        store.bulk_extend(Quad(t.subject, t.predicate, t.object, default) for t in triples)


def answer(store: OxigraphStore, request: Request, *, merged: bool = False) -> bytes:
    """Run one request on the replica and encode the answer (errors included).

    ``merged`` says that the default graph of ``store`` holds the merge of its named
    graphs (:func:`merge_default_graph`); queries then read it instead of their union.
    """
    # A dataset given with the query (the protocol's default-graph-uri and named-graph-uri)
    # replaces the query's own FROM and FROM NAMED; what it leaves out is empty.
    given = request.default_graphs is not None or request.named_graphs is not None
    try:
        result = store.query(
            request.sparql,
            base_iri=request.base_iri,
            use_default_graph_as_union=request.union and not given and not merged,
            default_graph=[NamedNode(g) for g in request.default_graphs or ()] if given else None,
            named_graphs=[NamedNode(g) for g in request.named_graphs or ()] if given else None,
        )
        return _serialise(result, request.max_rows, request.output, request.max_bytes)
    except SyntaxError as error:
        return answer_frame(_syntax_header(error))
    except (RuntimeError, MemoryError) as error:
        refused = evaluation_error(error)
        if refused is not None:
            return answer_frame({"kind": "error", "type": "evaluation", "message": str(refused)})
        if isinstance(error, MemoryError):
            message = "the query used more memory than a query may, and was stopped"
            return answer_frame({"kind": "error", "type": "memory", "message": message})
        failed = f"the engine failed: {error}"
        return answer_frame({"kind": "error", "type": "store", "message": failed})
    except (OSError, ValueError, TypeError) as error:
        return answer_frame(
            {"kind": "error", "type": "store", "message": f"the engine failed: {error}"}
        )


def _serve(
    sock: socket.socket, checkpoint: str | None, store: OxigraphStore | None, merged: bool
) -> None:
    if checkpoint is not None:
        store = disk_store(Path(checkpoint), read_only=True, create=False).oxigraph
    assert store is not None
    while True:
        try:
            request = Request.decode(recv_frame(sock))
        except (WorkerGone, OSError):
            return
        if request.nice:
            os.nice(request.nice)
        signal.alarm(math.ceil(request.seconds) + ALARM_GRACE)
        frame = answer(store, request, merged=merged)
        signal.alarm(0)
        try:
            send_frame(sock, frame)
        except OSError:
            return
        if request.nice:  # a process cannot take back its priority: it ends here
            return


def cap_memory(budget: int) -> int:
    """Limit this process's address space to what it maps now, a query thread's stack and
    ``budget`` bytes more (the engine then fails to allocate past it, and the process
    ends); the limit set."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[0])
    limit = pages * os.sysconf("SC_PAGE_SIZE") + WORKER_STACK + budget
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return limit


def _worker(
    sock: socket.socket,
    checkpoint: str | None,
    store: OxigraphStore | None,
    merged: bool,
    memory: int | None = None,
) -> None:
    """The body of a forked worker: serve on a thread with a large stack, then exit."""
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    code = 0
    try:
        if memory:
            cap_memory(memory)
        threading.stack_size(WORKER_STACK)
        thread = threading.Thread(
            target=_serve, args=(sock, checkpoint, store, merged), daemon=True
        )
        thread.start()
        thread.join()
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _isolate_network() -> bool:
    """Move this process into a network namespace of its own (no interface but loopback down)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET):
            if libc.unshare(flags) == 0:
                return True
    except (OSError, AttributeError):
        pass
    return False


class Holder:
    """The replica holder's state and its answers to the runner's commands."""

    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.store: OxigraphStore | None = None
        self.checkpoint: str | None = None
        self.merged = False

    def handle(self, command: dict[str, Any], fds: list[int]) -> dict[str, Any]:
        op = command.get("op")
        if op == "memory":
            with os.fdopen(fds[0], "rb") as stream:
                store = memory_store().oxigraph
                try:
                    store.bulk_load(stream, RdfFormat.N_QUADS)
                finally:
                    stream.read()  # drain, so that the runner never blocks on a full pipe
            merge_default_graph(store)
            self.store, self.checkpoint, self.merged = store, None, True
            return {"ok": True, "quads": len(store)}
        if op == "disk":
            path = str(command["path"])
            self.merged = bool(command.get("merge"))
            if self.merged:  # a checkpoint of this replica's own: written once, then read only
                checkpoint = disk_store(Path(path), create=False)
                merge_default_graph(checkpoint.oxigraph)
                checkpoint.flush()
                del checkpoint
                gc.collect()
            self.store, self.checkpoint = None, path
            return {"ok": True}
        if op == "fork":
            sock = socket.socket(fileno=fds[0])
            pid = os.fork()
            if pid == 0:
                self.control.close()
                memory = command.get("memory")
                _worker(sock, self.checkpoint, self.store, self.merged, memory)
            sock.close()
            return {"ok": True, "pid": pid}
        for fd in fds:
            os.close(fd)
        return {"ok": False, "error": f"unknown command {op!r}"}

    def loop(self) -> None:
        while True:
            try:
                message, fds, _, _ = socket.recv_fds(self.control, 1 << 16, 4)
            except OSError:
                return
            if not message:
                return
            command = json.loads(message)
            if command.get("op") == "stop":
                return
            try:
                reply = self.handle(command, fds)
            except (OSError, SyntaxError, ValueError) as error:
                reply = {"ok": False, "error": str(error)}
            self.control.sendall(json.dumps(reply).encode())


def run_holder(control: socket.socket, store: OxigraphStore | None = None) -> None:
    """Serve the runner's commands on ``control`` until it stops or goes away."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the runner decides when to stop
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crashed worker leaves no core file
    isolated = _isolate_network()
    control.sendall(json.dumps({"ok": True, "isolated": isolated, "pid": os.getpid()}).encode())
    holder = Holder(control)
    if store is not None:  # forked: the store's pages are this process's own once written
        merge_default_graph(store)
        holder.store, holder.merged = store, True
        # A second reply says the replica is ready: merging a large store takes long.
        control.sendall(json.dumps({"ok": True, "quads": len(store)}).encode())
    holder.loop()


def _close_inherited_files(keep: set[int]) -> None:
    """Close the files the runner's process had open, so that its other sockets see their end."""
    try:
        inherited = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return
    for fd in inherited:
        if fd > 2 and fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)


def fork_holder(store: OxigraphStore) -> tuple[int, socket.socket]:
    """Fork a holder from this process, whose replica is ``store`` itself (shared copy-on-write).

    Only a single-threaded process may call this: a fork keeps only the
    calling thread, and a lock another thread held would stay locked.
    """
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:  # the holder
        code = 0
        try:
            gc.freeze()  # objects of the runner's process are never collected (or closed) here
            _close_inherited_files(keep={theirs.fileno()})
            os.setsid()
            run_holder(theirs, store)
        except BaseException:  # a forked child must never return into the runner's code
            code = 1
        finally:
            os._exit(code)
    theirs.close()
    return pid, ours


def main(argv: list[str] | None = None) -> None:
    """Entry point of a spawned replica holder: ``python -m cybergov.execution.replica FD``."""
    args = sys.argv[1:] if argv is None else argv
    run_holder(socket.socket(fileno=int(args[0])))


if __name__ == "__main__":
    main()
