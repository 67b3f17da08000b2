"""What the running service holds: its settings, the store, the query runner, the catalogue
of questions, the dumps, the shapes, the templates, and the documents worth computing once
per graph version."""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar, cast

from jinja2 import Environment, PackageLoader, StrictUndefined

from cybergov.contribute import contributions
from cybergov.contribute.contributions import Outcome
from cybergov.contribute.intake import IntakeLimits
from cybergov.contribute.staging import stage
from cybergov.errors import CybergovError
from cybergov.exchange import Dumps, graph_version
from cybergov.exchange.releases import Releases, release_folder
from cybergov.exchange.shapes_doc import ShapesDoc, read_shapes
from cybergov.exchange.tables import TABLES_FOLDER, Tables
from cybergov.execution import QueryRunner
from cybergov.explore.search import SearchIndex, index_for
from cybergov.importers.model import ImportReport
from cybergov.importers.run import run_import, withdraw_import
from cybergov.importers.sources import importer_for
from cybergov.knowledge.load import load
from cybergov.knowledge.ready import Use, open_ready
from cybergov.settings import Settings, data_folder
from cybergov.sparql.catalogue import Catalogue
from cybergov.store import EmbeddedStore, Store

log = logging.getLogger(__name__)

_T = TypeVar("_T")


def templates() -> Environment:
    """The page templates, escaping every value they show."""
    return Environment(
        loader=PackageLoader("cybergov.api", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass
class Service:
    """The state of one service process, shared by every request."""

    settings: Settings
    store: Store
    runner: QueryRunner
    catalogue: Catalogue
    dumps: Dumps
    tables: Tables
    releases: Releases
    shapes: ShapesDoc
    templates: Environment
    search: SearchIndex
    owns_store: bool = False
    owns_runner: bool = False
    temporary: Path | None = None
    root: Path | None = None
    data_lock: threading.Lock = field(default_factory=threading.Lock)
    _cache: dict[str, tuple[str, object]] = field(default_factory=dict)
    _cache_lock: threading.Lock = field(default_factory=threading.Lock)

    def version(self) -> str:
        """The graph version of the store now.

        Raises:
            StoreError: the store failed.
        """
        return graph_version(self.store)

    def cached(self, key: str, build: Callable[[], _T], *, version: str | None = None) -> _T:
        """The value ``build`` makes, computed once per graph version."""
        version = version or self.version()
        with self._cache_lock:
            kept = self._cache.get(key)
        if kept is not None and kept[0] == version:
            return cast(_T, kept[1])
        value = build()
        with self._cache_lock:
            self._cache[key] = (version, value)
        return value

    @property
    def writable(self) -> bool:
        """Whether this service may change its store (contributions, reloads)."""
        if self.settings.read_only:
            return False
        return not (isinstance(self.store, EmbeddedStore) and self.store.read_only)

    def changed(self) -> None:
        """Bring the query workers' replica up to the store after a change.

        Raises:
            StoreError: the replica could not be refreshed.
        """
        self.runner.refresh()

    def contribute(self, data: bytes, *, media_type: str, contributor: str) -> Outcome:
        """Accept a contribution (see :func:`~cybergov.contribute.contributions.accept`), one at
        a time.

        Raises:
            UnsupportedFormat, InputRejected, RdfSyntaxError, ContributionRejected,
            ContributionDuplicate, WriteTimeout, StoreError: see
            :func:`cybergov.contribute.contributions.accept`.
        """
        limits = IntakeLimits.from_settings(self.settings)
        with self.data_lock:
            outcome = contributions.accept(
                self.store,
                data,
                media_type=media_type,
                contributor=contributor,
                limits=limits,
                root=self.root,
                seconds=self.settings.write_timeout,
            )
            self.changed()
        log.info("contribution %s accepted from %s", outcome.contribution.id, contributor)
        return outcome

    def withdraw(self, identifier: str, *, admin: str) -> Outcome:
        """Withdraw a contribution (see :func:`cybergov.contribute.contributions.withdraw`).

        Raises:
            ContributionNotFound, ContributionWithdrawn, WriteTimeout, StoreError: see there.
        """
        with self.data_lock:
            outcome = contributions.withdraw(
                self.store,
                identifier,
                admin=admin,
                root=self.root,
                seconds=self.settings.write_timeout,
            )
            self.changed()
        log.info("contribution %s withdrawn by %s", identifier, admin)
        return outcome

    def import_file(
        self, source: str, data: bytes, *, filename: str, name: str | None
    ) -> ImportReport:
        """Import an uploaded file of ``source`` (see :func:`cybergov.importers.run.run_import`),
        one change at a time.

        Raises:
            ResourceNotFound: no importer reads ``source``.
            ImportInputError: the file cannot be read at all.
            StoreError: the store failed; nothing was written.
        """
        importer = importer_for(source)
        safe = Path(filename).name or f"upload.{source}"
        with tempfile.TemporaryDirectory(prefix="cybergov-import-") as folder:
            path = Path(folder) / safe
            path.write_bytes(data)
            with self.data_lock:
                report = run_import(self.store, importer, path, name=name, root=self.root)
                if report.status == "imported":
                    self.changed()
        log.info("import %s: %s", report.id, report.status)
        return report

    def withdraw_import(self, identifier: str) -> tuple[int, int]:
        """Withdraw an import (see :func:`cybergov.importers.run.withdraw_import`).

        Raises:
            ImportNotFound, StoreError: see there.
        """
        with self.data_lock:
            changed = withdraw_import(self.store, identifier, root=self.root)
            self.changed()
        log.info("import %s withdrawn", identifier)
        return changed

    def reload_data(self) -> None:
        """Load what changed in the data folders; on bad data, log it and keep the old data.

        The new data is loaded into a copy and applied in one update, so that readers
        never see it half loaded.
        """
        with self.data_lock:
            try:
                report, _ = stage(
                    self.store,
                    lambda scratch: load(scratch, root=self.root),
                    infer=False,
                    root=self.root,
                )
                self.shapes = read_shapes(data_folder("shapes", self.root))
                self.changed()
            except CybergovError as error:
                log.error("the data was not reloaded: %s", error)
                return
        if report.loaded or report.removed:
            log.info(
                "reloaded %s; removed %s", ", ".join(report.loaded) or "nothing",
                ", ".join(report.removed) or "nothing",
            )  # fmt: skip

    def close(self) -> None:
        self.search.close()
        if self.owns_runner:
            self.runner.close()
        if self.owns_store:
            self.store.close()
        if self.temporary is not None:
            shutil.rmtree(self.temporary, ignore_errors=True)


def _build_index(search: SearchIndex) -> None:
    """Build the search index while the service starts; a search waits for it."""
    try:
        search.refresh()
    except CybergovError as error:
        log.error("the search index was not built (the next search tries again): %s", error)


def start_service(
    settings: Settings,
    *,
    store: Store | None = None,
    runner: QueryRunner | None = None,
    catalogue: Catalogue | None = None,
    root: Path | None = None,
    own: bool = False,
) -> Service:
    """Open the store ready to serve (:func:`~cybergov.knowledge.ready.open_ready`) and
    start the query runner, unless they are given; read the shapes.

    A given store and runner are used as they are: the caller loaded and
    started them, and closes them, unless ``own`` hands them to the service.
    ``root`` holds the data folders (the bundled ones by default).

    Raises:
        SettingsError: the settings cannot be served.
        StoreError, DataError: the store cannot be opened, the data cannot be loaded
            or the query workers cannot start.
        HeaderError: a question of the catalogue is malformed.
    """
    owns_store = own or store is None
    if store is None:
        store = open_ready(settings, Use.SERVE, root=root).store
    owns_runner = own or runner is None
    if runner is None:
        runner = QueryRunner(store, settings=settings).start()
    if catalogue is None:
        catalogue = Catalogue.load(data_folder("queries", root) / "questions")
    temporary = None
    folder = settings.dump_dir
    if folder is None:
        folder = temporary = Path(tempfile.mkdtemp(prefix="cybergov-dumps-"))
    folder.mkdir(parents=True, exist_ok=True)
    search = index_for(store, partial(graph_version, store))
    threading.Thread(target=_build_index, args=(search,), name="search-index", daemon=True).start()
    return Service(
        settings=settings,
        store=store,
        runner=runner,
        catalogue=catalogue,
        dumps=Dumps(store, folder),
        tables=Tables(runner, folder / TABLES_FOLDER),
        releases=Releases(release_folder(settings)),
        shapes=read_shapes(data_folder("shapes", root)),
        templates=templates(),
        search=search,
        owns_store=owns_store,
        owns_runner=owns_runner,
        temporary=temporary,
        root=root,
    )
