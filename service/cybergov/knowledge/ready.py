"""The one way to open a store ready for use: every command and the service call
:func:`open_ready`.

The settings name the store: a SPARQL server (``endpoint``), a folder on disk
(``store``), or neither, a store in memory. What happens to it then follows from what
the caller does with it, its :class:`Use`:

=========  ==========================  ===================================  =================
use        in memory                   on disk                              SPARQL server
=========  ==========================  ===================================  =================
``READ``   loaded                      read as it is                        read as it is
``SERVE``  loaded                      loaded (read as it is if read-only)  read as it is
``LOAD``   loaded                      loaded                               loaded
=========  ==========================  ===================================  =================

- *Loaded* means brought up to the bundled ontology, curated graph and inferences:
  files whose checksum has not changed are skipped, so loading a loaded store is quick
  (:func:`cybergov.knowledge.load.load`; a server is sent only the named graphs that
  changed, :func:`cybergov.knowledge.remote_load.load_remote`). An on-disk store that is
  loaded is created when its folder does not exist yet.
- *Read as it is* means nothing is written. An on-disk store read as it is must already
  hold a graph: a folder that does not exist, or a store that holds nothing, is refused
  with the command that fills it. A server is shared with others: only ``LOAD``
  (``cybergov load`` and ``cybergov check``) writes to it.
- A store in memory starts empty, so it is always loaded.
- With ``read_only`` set, an on-disk store is opened read-only: it is read as it is,
  and ``LOAD`` is refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from cybergov.errors import SettingsError, StoreError
from cybergov.knowledge.load import LoadReport, load
from cybergov.knowledge.remote_load import load_remote
from cybergov.settings import Settings
from cybergov.store.base import Store
from cybergov.store.embedded import EmbeddedStore
from cybergov.store.factory import store_from_settings
from cybergov.store.remote import RemoteStore

log = logging.getLogger(__name__)


class Use(StrEnum):
    """What the caller does with the store (see the table of the module)."""

    READ = "read"
    """Read the graph the store holds: ``ask``, ``sparql``, ``validate``."""
    SERVE = "serve"
    """Serve it over HTTP and accept contributions: ``serve``."""
    LOAD = "load"
    """Bring it up to the bundled data: ``load``, ``check``."""


@dataclass(frozen=True, slots=True)
class ReadyStore:
    """A store ready for use, and what loading it did (``None`` when it was not loaded)."""

    store: Store
    report: LoadReport | None


def open_ready(
    settings: Settings, use: Use, *, root: Path | None = None, force: bool = False
) -> ReadyStore:
    """The store the settings name, ready for ``use`` (see the module's rule).

    ``root`` holds the data folders to load (the bundled ones by default); ``force``
    loads every file again, changed or not.

    Raises:
        SettingsError: the settings name both a folder and an endpoint, or ask to load a
            store opened read-only.
        StoreError: an on-disk store to read as it is does not exist or holds nothing; a
            store cannot be opened or written.
        DataError: the bundled data cannot be loaded (a file does not parse, the
            ontology's imports cannot be resolved, a rule is malformed).
    """
    if use is Use.LOAD and settings.read_only and settings.store is not None:
        raise SettingsError(
            f"the store at {settings.store} is opened read-only (CYBERGOV_READ_ONLY), so "
            "nothing can be loaded into it"
        )
    loads = _loads(settings, use)
    store = store_from_settings(settings, create=loads)
    try:
        if not loads:
            _refuse_empty(store)
            return ReadyStore(store, None)
        if isinstance(store, RemoteStore):
            report = load_remote(store, root=root, force=force)
        else:
            report = load(store, root=root, force=force)
        log.info(
            "loaded %d files (%d unchanged), %d quads, in %.2f s",
            len(report.loaded), len(report.unchanged), report.quads, report.seconds,
        )  # fmt: skip
        return ReadyStore(store, report)
    except BaseException:
        store.close()
        raise


def _loads(settings: Settings, use: Use) -> bool:
    """Whether the store the settings name is loaded for ``use``."""
    if settings.endpoint:
        return use is Use.LOAD
    if settings.store is None:
        return True
    return use is Use.LOAD or (use is Use.SERVE and not settings.read_only)


def _refuse_empty(store: Store) -> None:
    """Refuse an on-disk store that holds nothing: it is read as it is."""
    if isinstance(store, EmbeddedStore) and store.path is not None and len(store) == 0:
        raise StoreError(
            f"the store at {store.path} is empty; fill it with: cybergov load --store {store.path}"
        )


__all__ = ["ReadyStore", "Use", "open_ready"]
