"""What the running service holds: its settings, the store, the dumps, the shapes, the
templates, and the documents worth computing once per graph version."""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast

from jinja2 import Environment, PackageLoader, StrictUndefined

from cybergov.errors import CybergovError, SettingsError
from cybergov.export import Dumps, graph_version
from cybergov.load import load
from cybergov.paths import data_root
from cybergov.settings import Settings
from cybergov.shapedoc import ShapesDoc, read_shapes
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


def open_store(settings: Settings) -> Store:
    """The store the settings name: the embedded one, in memory or on disk.

    Raises:
        SettingsError: the settings name a store this service cannot open.
        StoreError: the store cannot be opened.
    """
    if settings.endpoint:
        raise SettingsError(
            f"the remote endpoint {settings.endpoint} cannot be served yet: this build serves "
            "the embedded store only (unset CYBERGOV_ENDPOINT)"
        )
    return EmbeddedStore(settings.store, read_only=settings.read_only)


def shapes_folder(root: Path | None = None) -> Path:
    return (root or data_root()) / "shapes"


@dataclass
class Service:
    """The state of one service process, shared by every request."""

    settings: Settings
    store: Store
    dumps: Dumps
    shapes: ShapesDoc
    templates: Environment
    owns_store: bool = False
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

    def reload_data(self) -> None:
        """Load what changed in the data folders; on bad data, log it and keep the old data."""
        with self.data_lock:
            try:
                report = load(self.store, root=self.root)
                self.shapes = read_shapes(shapes_folder(self.root))
            except CybergovError as error:
                log.error("the data was not reloaded: %s", error)
                return
        if report.loaded or report.removed:
            log.info(
                "reloaded %s; removed %s", ", ".join(report.loaded) or "nothing",
                ", ".join(report.removed) or "nothing",
            )  # fmt: skip

    def close(self) -> None:
        if self.owns_store:
            self.store.close()
        if self.temporary is not None:
            shutil.rmtree(self.temporary, ignore_errors=True)


def start_service(
    settings: Settings, *, store: Store | None = None, root: Path | None = None
) -> Service:
    """Open the store (unless given), load the data into it and read the shapes.

    A given store is used as it is: the caller loaded it and will close it.
    ``root`` holds the data folders (the bundled ones by default).

    Raises:
        SettingsError: the settings cannot be served.
        StoreError, DataError: the store cannot be opened or the data cannot be loaded.
    """
    owns = store is None
    if store is None:
        store = open_store(settings)
        if not settings.read_only:
            report = load(store, root=root)
            log.info(
                "loaded %d files (%d unchanged), %d quads, in %.2f s",
                len(report.loaded), len(report.unchanged), report.quads, report.seconds,
            )  # fmt: skip
    temporary = None
    folder = settings.dump_dir
    if folder is None:
        folder = temporary = Path(tempfile.mkdtemp(prefix="cybergov-dumps-"))
    folder.mkdir(parents=True, exist_ok=True)
    return Service(
        settings=settings,
        store=store,
        dumps=Dumps(store, folder),
        shapes=read_shapes(shapes_folder(root)),
        templates=templates(),
        owns_store=owns,
        temporary=temporary,
        root=root,
    )
