"""SPARQL servers started on 127.0.0.1 for development, the tests and the benchmarks.

The Oxigraph server comes from the ``oxigraph`` package (the ``test`` and ``bench``
extras), Virtuoso from Debian's ``virtuoso-opensource-7-bin``. Each server runs on free
ports of the loopback interface, with its own data, and is stopped on exit.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from cybergov.errors import StoreError, StoreUnavailable


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_answering(url: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    """Return once a GET of ``url`` is answered (whatever its status).

    Raises:
        StoreUnavailable: the process exited, or nothing answered within ``seconds``.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StoreUnavailable(f"the server behind {url} exited with {process.returncode}")
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})  # noqa: S310 (http://127.0.0.1 only)
        try:
            with urllib.request.urlopen(request, timeout=2):  # noqa: S310 (http://127.0.0.1 only)
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.05)
    raise StoreUnavailable(f"{url} did not answer within {seconds:g} s")


def stop_process(process: subprocess.Popen[bytes] | None, grace: float) -> None:
    """Terminate ``process`` (if running), killing it after ``grace`` seconds."""
    if process is None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def oxigraph_binary() -> str:
    """The ``oxigraph`` server program beside this Python, or on the ``PATH``.

    Raises:
        StoreUnavailable: it is not installed.
    """
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise StoreUnavailable(
            "the oxigraph server is missing; install the test extra: pip install -e '.[test]'"
        )
    return found


class OxigraphServer:
    """``oxigraph serve`` in memory on a free port, stopped on exit.

    Args:
        union: start it with ``--union-default-graph`` (what cybergov expects).
        timeout: the server's own limit on a query, in seconds.
        data: N-Quads to load once it answers.
    """

    def __init__(self, *, union: bool = True, timeout: int = 10, data: Path | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.data = data
        command = [oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{self.port}"]
        if union:
            command.append("--union-default-graph")
        command += ["--timeout-s", str(timeout)]
        self.command = command
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def query_endpoint(self) -> str:
        return f"{self.base}/query"

    def start(self) -> OxigraphServer:
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_until_answering(f"{self.query_endpoint}?query=ASK%7B%7D", self.process, 30)
            if self.data is not None:
                request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1 only)
                    f"{self.base}/store",
                    data=self.data.read_bytes(),
                    method="POST",
                    headers={"Content-Type": "application/n-quads"},
                )
                with urllib.request.urlopen(request, timeout=3600):  # noqa: S310 (http://127.0.0.1 only)
                    pass
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        stop_process(self.process, 10)
        self.process = None

    def __enter__(self) -> OxigraphServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


#: The account cybergov writes as on the test Virtuoso (its password is made per run).
VIRTUOSO_WRITER = "cybergov"

_VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = {folder}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
CheckpointInterval = 60
MaxClientConnections = 10
VADInstallDir = {folder}/vad

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}/www
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = {max_seconds}
MaxQueryCostEstimationTime = 0
DefaultGraph =
"""


def virtuoso_binaries() -> tuple[str, str]:
    """The Virtuoso server and its ``isql`` client.

    Raises:
        StoreUnavailable: Virtuoso is not installed.
    """
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if not (server and isql):
        raise StoreUnavailable(
            "Virtuoso is missing; install Debian's virtuoso-opensource-7-bin "
            "(apt-get install virtuoso-opensource-7-bin)"
        )
    return server, isql


class VirtuosoServer:
    """Debian's Virtuoso 7 with its own ``virtuoso.ini`` and database in ``folder``, on free
    ports of 127.0.0.1, stopped on exit.

    The anonymous ``SPARQL`` account keeps the read-only rights of a new database;
    the account :data:`VIRTUOSO_WRITER` is made with the ``SPARQL_UPDATE`` role only,
    and the ``dba`` password is changed from its default before the tests start.

    Args:
        folder: an empty folder for the configuration, the database and its log.
        max_seconds: the server's own limit on a query (``MaxQueryExecutionTime``).
        buffers: pages of 8 KB the server caches (``NumberOfBuffers``).
    """

    def __init__(self, folder: Path, *, max_seconds: int = 30, buffers: int = 20_000) -> None:
        self.folder = folder
        self.sql_port = free_port()
        self.http_port = free_port()
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.writer_password = secrets.token_urlsafe(16)
        self.dba_password = secrets.token_urlsafe(16)
        (folder / "www").mkdir(parents=True, exist_ok=True)
        (folder / "vad").mkdir(exist_ok=True)
        self.ini = folder / "virtuoso.ini"
        self.ini.write_text(
            _VIRTUOSO_INI.format(
                folder=folder,
                sql_port=self.sql_port,
                http_port=self.http_port,
                max_seconds=max_seconds,
                buffers=buffers,
                dirty_buffers=buffers * 3 // 4,
            ),
            encoding="utf-8",
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def query_endpoint(self) -> str:
        """The public endpoint: the anonymous ``SPARQL`` account, read-only."""
        return f"{self.base}/sparql"

    @property
    def update_endpoint(self) -> str:
        """SPARQL with HTTP Digest authentication."""
        return f"{self.base}/sparql-auth"

    @property
    def graph_store_endpoint(self) -> str:
        """The Graph Store Protocol with HTTP Digest authentication."""
        return f"{self.base}/sparql-graph-crud-auth"

    def settings(self, **more: object) -> dict[str, object]:
        """The cybergov settings that write through the authenticated endpoints."""
        return {
            "endpoint": self.query_endpoint,
            "update_endpoint": self.update_endpoint,
            "graph_store_endpoint": self.graph_store_endpoint,
            "endpoint_username": VIRTUOSO_WRITER,
            "endpoint_password": self.writer_password,
            "endpoint_auth": "digest",
            **more,
        }

    def isql(self, statements: str, *, password: str | None = None) -> str:
        """Run SQL statements as ``dba``; their output."""
        _, isql = virtuoso_binaries()
        done = subprocess.run(
            [isql, f"127.0.0.1:{self.sql_port}", "dba", password or self.dba_password],
            input=statements.encode(),
            capture_output=True,
            timeout=60,
            check=False,
        )
        output = done.stdout.decode("utf-8", "replace")
        if done.returncode != 0 or "*** Error" in output:
            raise StoreError(f"isql failed: {output}{done.stderr.decode('utf-8', 'replace')}")
        return output

    def start(self) -> VirtuosoServer:
        server, _ = virtuoso_binaries()
        self.process = subprocess.Popen(
            [server, "+foreground", "+configfile", str(self.ini)],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            self._wait_for_http(120)
            self.isql(
                f"USER_CHANGE_PASSWORD('dba', 'dba', '{self.dba_password}');\n",
                password="dba",  # noqa: S106 (the default of a new database)
            )
            self.isql(
                f"DB.DBA.USER_CREATE('{VIRTUOSO_WRITER}', '{self.writer_password}');\n"
                f'GRANT SPARQL_UPDATE TO "{VIRTUOSO_WRITER}";\n'
            )
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_for_http(self, seconds: float) -> None:
        if self.process is None:
            return
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.folder / "virtuoso.log"
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise StoreUnavailable(f"virtuoso-t exited with {self.process.returncode}: {tail}")
            try:
                request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1 only)
                    f"{self.query_endpoint}?query=ASK%7B%7D",
                    headers={"Accept": "application/sparql-results+json"},
                )
                with urllib.request.urlopen(request, timeout=2):  # noqa: S310 (http://127.0.0.1 only)
                    return
            except OSError:
                time.sleep(0.2)
        raise StoreUnavailable(f"Virtuoso did not answer within {seconds:g} s")

    def stop(self) -> None:
        stop_process(self.process, 30)
        self.process = None

    def __enter__(self) -> VirtuosoServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
