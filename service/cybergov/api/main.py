"""The app for process managers that build it themselves (uvicorn workers, gunicorn):
``uvicorn --factory cybergov.api.main:app_from_environment``. Settings come from the
``CYBERGOV_*`` environment, read once per process."""

from __future__ import annotations

from fastapi import FastAPI

from cybergov.api.app import create_app
from cybergov.api.service import open_store
from cybergov.execution import QueryRunner
from cybergov.settings import Settings, load_settings
from cybergov.store import Store


def prepare(settings: Settings) -> tuple[Store, QueryRunner]:
    """Open and load the store, and start the query workers, in this (single-threaded)
    process: the workers' replica is then forked from it, sharing its memory.

    Raises:
        SettingsError, StoreError, DataError: the store cannot be opened or loaded, or
            the workers cannot start.
    """
    store = open_store(settings)
    try:
        runner = QueryRunner(store, settings=settings).start()
    except BaseException:
        store.close()
        raise
    return store, runner


def app_from_environment() -> FastAPI:
    """The service for the settings of the environment.

    Raises:
        SettingsError: a setting of the environment is invalid.
        StoreError, DataError: the store cannot be opened or loaded.
    """
    settings = load_settings()
    store, runner = prepare(settings)
    return create_app(settings, store=store, runner=runner, own=True)
