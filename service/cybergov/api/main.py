"""The app for process managers that build it themselves (uvicorn workers, gunicorn):
``uvicorn --factory cybergov.api.main:app_from_environment``. Settings come from the
``CYBERGOV_*`` environment, read once per process."""

from __future__ import annotations

from fastapi import FastAPI

from cybergov.api.app import create_app
from cybergov.settings import load_settings


def app_from_environment() -> FastAPI:
    """The service for the settings of the environment.

    Raises:
        SettingsError: a setting of the environment is invalid.
    """
    return create_app(load_settings())
