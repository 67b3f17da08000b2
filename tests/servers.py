"""A real Oxigraph server (from the ``oxigraph`` package) on 127.0.0.1, for the tests."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType


def oxigraph_binary() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    assert found, "the oxigraph server is missing; install the test extra: pip install -e '.[test]'"
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OxigraphServer:
    """``oxigraph serve`` in memory on a free port, stopped on exit.

    Args:
        union: start it with ``--union-default-graph`` (what cybergov expects).
        timeout: the server's own limit on a query, in seconds.
    """

    def __init__(self, *, union: bool = True, timeout: int = 10) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
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
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited with {self.process.returncode}")
            try:
                request = urllib.request.Request(
                    f"{self.query_endpoint}?query=ASK%7B%7D",
                    headers={"Accept": "application/sparql-results+json"},
                )
                with urllib.request.urlopen(request, timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("oxigraph serve did not answer within 30 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
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
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    assert server and isql, (
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
            raise RuntimeError(f"isql failed: {output}{done.stderr.decode('utf-8', 'replace')}")
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
                f"USER_CHANGE_PASSWORD('dba', 'dba', '{self.dba_password}');\n", password="dba"
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
        assert self.process is not None
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.folder / "virtuoso.log"
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise RuntimeError(f"virtuoso-t exited with {self.process.returncode}: {tail}")
            try:
                request = urllib.request.Request(
                    f"{self.query_endpoint}?query=ASK%7B%7D",
                    headers={"Accept": "application/sparql-results+json"},
                )
                with urllib.request.urlopen(request, timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"Virtuoso did not answer within {seconds:g} s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
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
