"""Part of an export's objects made by a forked child process, while this process makes the
others.

Once the query workers have answered, an export is Python in one process, on one core.
A process that runs no other Python thread (the command line) may fork a child that makes
the objects of one part of the work and writes them back as text, through an unnamed
temporary file, while this process makes the rest. The child reads the records this
process holds (shared copy-on-write: nothing is sent to it), never returns into the code
that forked it (it ends with ``os._exit``, so no buffer it inherited is flushed twice and
no exit handler runs), and reports its failure (its traceback, a non-zero status).

Threads of native code (the store engine's) do not forbid the fork: the child runs only
Python over Python objects and never calls the engine, so it takes none of their locks.
A thread of Python does: it may hold a lock of Python code (the logging module's, say)
that would stay locked in the child.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import tempfile
import threading
import traceback
import warnings
from array import array
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import BinaryIO

from cybergov.errors import ExportError
from cybergov.exchange.stix.written import Kind, Written, kind_number, kind_of

#: Between two objects' texts in the child's answer: never in a JSON text (RFC 8259,
#: section 7: a control character in a string is written escaped).
_SEPARATOR = "\x00"
#: The first bytes of the child's answer: it made its objects, or it failed.
_MADE, _FAILED = b"M", b"F"
_LENGTH = 8


class Child:
    """A forked child making objects: :meth:`collect` waits for them."""

    def __init__(self, pid: int, answer: BinaryIO) -> None:
        self.pid = pid
        self._answer = answer
        self._waited = False

    def collect(self) -> list[Written]:
        """The child's objects, in the order it made them.

        Raises:
            ExportError: the child failed (with its traceback), or was killed.
        """
        try:
            status = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
            self._waited = True
            self._answer.seek(0)
            body = self._answer.read()
        finally:
            self._answer.close()
        if status != 0 or not body.startswith(_MADE):
            said = body[1:].decode("utf-8", "replace") if body.startswith(_FAILED) else ""
            raise ExportError(f"the process making part of the objects ended ({status}): {said}")
        try:
            return _read(memoryview(body)[1:])
        except (ValueError, IndexError) as error:  # a kind made after the fork, say
            raise ExportError(f"the objects of the process apart cannot be read: {error}") from None

    def cancel(self) -> None:
        """End the child, which this process no longer waits for (if it was not waited for:
        its number may be another process's since)."""
        try:
            if self._waited:
                return
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ChildProcessError, ProcessLookupError):  # it had ended and was waited for
            pass
        finally:
            self._answer.close()


def start(make: Callable[[], Iterable[Written]]) -> Child | None:
    """A forked child making ``make()``'s objects, or ``None`` when this process may not fork
    (another thread of Python runs, or no process could be made)."""
    if threading.active_count() != 1 or not hasattr(os, "fork"):
        return None
    answer = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the returned Child
    try:
        with warnings.catch_warnings():
            # Python 3.12 warns of any thread, native ones too (see the module's text)
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:
        answer.close()
        return None
    if pid == 0:  # the child: it never returns from here
        _child(make, answer.fileno())
    return Child(pid, answer)


def _child(make: Callable[[], Iterable[Written]], fd: int) -> None:
    code = 1
    try:
        with contextlib.suppress(ValueError):  # a signal here must not wake the parent's loop
            signal.set_wakeup_fd(-1)
        _write(fd, _MADE + _written(list(make())))
        code = 0
    except BaseException:  # a forked child reports anything, and never returns
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            os.ftruncate(fd, 0)
            _write(fd, _FAILED + traceback.format_exc().encode("utf-8", "replace"))
        except BaseException:  # noqa: S110 - nothing is left to report it to
            pass
    finally:
        os._exit(code)


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _written(items: list[Written]) -> bytes:
    """The objects as bytes: what they share (their kinds and times, each once) and their
    identifiers in JSON, the kind and time of each by their index, then their texts, joined,
    in UTF-8 (the parent unpickles nothing: it reads text and numbers)."""
    kinds: dict[Kind, int] = {}
    moments: dict[datetime, int] = {}
    which_kind = array("B", [kinds.setdefault(item.kind, len(kinds)) for item in items])
    which_moment = array("I", [moments.setdefault(item.modified, len(moments)) for item in items])
    texts = _SEPARATOR.join(item.text for item in items)
    if texts.count(_SEPARATOR) != max(0, len(items) - 1):
        raise ValueError("an object's text holds the separator of texts")
    shared = json.dumps(
        {
            "kinds": [kind_number(kind) for kind in kinds],
            "moments": [moment.isoformat() for moment in moments],
            "ids": [item.id for item in items],
        }
    ).encode()
    return b"".join((
        len(shared).to_bytes(_LENGTH, "little"),
        shared,
        which_kind.tobytes(),
        which_moment.tobytes(),
        texts.encode("utf-8"),
    ))  # fmt: skip


def _read(body: memoryview) -> list[Written]:
    """The objects :func:`_written` wrote."""
    at = _LENGTH + int.from_bytes(body[:_LENGTH], "little")
    shared = json.loads(bytes(body[_LENGTH:at]))
    ids = shared["ids"]
    if not ids:
        return []
    which_kind, which_moment = array("B"), array("I")
    which_kind.frombytes(body[at : at + len(ids)])
    at += len(ids)
    which_moment.frombytes(body[at : at + len(ids) * which_moment.itemsize])
    at += len(ids) * which_moment.itemsize
    kinds = [kind_of(number) for number in shared["kinds"]]
    moments = [datetime.fromisoformat(moment) for moment in shared["moments"]]
    texts = str(body[at:], "utf-8").split(_SEPARATOR)
    return list(
        map(
            Written,
            ids,
            map(kinds.__getitem__, which_kind),
            map(moments.__getitem__, which_moment),
            texts,
        )
    )
