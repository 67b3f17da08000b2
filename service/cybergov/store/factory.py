"""Constructing stores: the only place where a store object is made.

:func:`store_from_settings` makes the store the settings name, as it is; making it ready
for use (loading the bundled data, refusing an empty one) is
:func:`cybergov.knowledge.ready.open_ready`'s rule. The other functions make the stores
code needs for itself: an empty one in memory (a scratch copy, a replica) and an on-disk
one by its folder.
"""

from __future__ import annotations

from pathlib import Path

from cybergov.errors import SettingsError, StoreError
from cybergov.settings import Settings
from cybergov.store.base import Store
from cybergov.store.embedded import EmbeddedStore
from cybergov.store.endpoints import Credentials
from cybergov.store.remote import Endpoints, RemoteStore


def memory_store() -> EmbeddedStore:
    """A new, empty store in memory."""
    return EmbeddedStore()


def disk_store(path: Path, *, read_only: bool = False, create: bool = True) -> EmbeddedStore:
    """The on-disk store in the folder ``path``.

    Args:
        read_only: open it read-only (several processes may then read it, none write).
        create: make the folder and an empty store when there is none; without it, a
            missing folder is refused.

    Raises:
        StoreError: there is no store there (and ``create`` is false), or it cannot be opened.
    """
    if not create and not path.is_dir():
        raise StoreError(f"{path}: no store there; fill one with: cybergov load --store {path}")
    return EmbeddedStore(path, read_only=read_only)


def store_from_settings(settings: Settings, *, create: bool = True) -> Store:
    """The store the settings name, as it is: remote when ``endpoint`` is set, on disk when
    ``store`` names a folder (read-only when ``read_only`` is set), in memory otherwise.

    Raises:
    A remote store calls its endpoints as ``endpoint_username`` when one is set.

    Raises:
        SettingsError: both a folder and an endpoint are given, or an endpoint URL is not
            a plain http(s) URL.
        StoreError: the on-disk store is missing (and ``create`` is false) or cannot be opened.
    """
    if settings.endpoint and settings.store:
        raise SettingsError(
            "give either a store folder (--store) or a SPARQL endpoint (--endpoint), not both"
        )
    if settings.endpoint:
        endpoints = Endpoints.derive(
            settings.endpoint,
            update=settings.update_endpoint,
            graph_store=settings.graph_store_endpoint,
        )
        credentials = (
            Credentials(
                settings.endpoint_username,
                settings.endpoint_password.get_secret_value(),
                settings.endpoint_auth,
            )
            if settings.endpoint_username is not None and settings.endpoint_password is not None
            else None
        )
        return RemoteStore(endpoints, timeout=settings.query_timeout, credentials=credentials)
    if settings.store is not None:
        return disk_store(
            settings.store, read_only=settings.read_only, create=create and not settings.read_only
        )
    return memory_store()
