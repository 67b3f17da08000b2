"""Opening the store the settings name: a remote SPARQL server, or the embedded store."""

from __future__ import annotations

from cybergov.errors import SettingsError
from cybergov.settings import Settings
from cybergov.store.base import Store
from cybergov.store.embedded import EmbeddedStore
from cybergov.store.protocol import Credentials
from cybergov.store.remote import Endpoints, RemoteStore


def open_store(settings: Settings) -> Store:
    """The store of the settings: remote when ``endpoint`` is set, else embedded.

    A remote store calls its endpoints as ``endpoint_username`` when one is
    set. The embedded store is on disk when ``store`` names a folder (opened
    read-only when ``read_only`` is set), in memory otherwise.

    Raises:
        SettingsError: both a folder and an endpoint are given, or an endpoint URL is not
            a plain http(s) URL.
        StoreError: the on-disk store cannot be opened.
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
    return EmbeddedStore(
        settings.store, read_only=settings.read_only and settings.store is not None
    )
