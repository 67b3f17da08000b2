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

#: Between two objects' texts in the child's answer: never in a JSON text in UTF-8 (RFC
#: 8259, section 7: a control character in a string is written escaped).
_SEPARATOR = b"\x00"
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
            said = self._answer.read(len(_MADE))
            if status != 0 or said != _MADE:
                told = self._answer.read().decode("utf-8", "replace") if said == _FAILED else ""
                raise ExportError(
                    f"the process making part of the objects ended ({status}): {told}"
                )
            try:
                return _read(self._answer)
            except (ValueError, IndexError) as error:  # a kind made after the fork, say
                raise ExportError(f"the objects made apart cannot be read: {error}") from None
        finally:
            self._answer.close()

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
    # each text encoded on its own: one string of them all would be as wide as its widest
    # character (four bytes each for a single emoji)
    texts = _SEPARATOR.join(map(str.encode, (item.text for item in items)))
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
        texts,
    ))  # fmt: skip


def _read(answer: BinaryIO) -> list[Written]:
    """The objects :func:`_written` wrote, read from ``answer``."""
    shared = json.loads(answer.read(int.from_bytes(answer.read(_LENGTH), "little")))
    ids = shared["ids"]
    which_kind, which_moment = array("B"), array("I")
    which_kind.frombytes(answer.read(len(ids) * which_kind.itemsize))
    which_moment.frombytes(answer.read(len(ids) * which_moment.itemsize))
    if not ids:
        return []
    kinds = [kind_of(number) for number in shared["kinds"]]
    moments = [datetime.fromisoformat(moment) for moment in shared["moments"]]
    return list(
        map(
            Written,
            ids,
            map(kinds.__getitem__, which_kind),
            map(moments.__getitem__, which_moment),
            map(bytes.decode, answer.read().split(_SEPARATOR)),
        )
    )
