"""The ``serve`` command: the HTTP service, run by uvicorn."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from cybergov.api.workers import check_workers
from cybergov.cli.app import EndpointOption, StoreOption, app, console, fail
from cybergov.errors import CybergovError
from cybergov.knowledge.load import load
from cybergov.settings import Settings, load_settings
from cybergov.store import EmbeddedStore

log = logging.getLogger(__name__)


def prepare_workers(settings: Settings) -> dict[str, str]:
    """Ready the data for several read-only workers; return the environment they read.

    An on-disk store is loaded here, once, then closed, so that every worker
    can open it read-only; the workers share one dump folder, so that they
    serve the same bytes for a graph version.

    Raises:
        StoreError, DataError: the store cannot be opened or the data loaded.
    """
    if settings.endpoint:  # stateless workers over one SPARQL server
        environment = {"CYBERGOV_ENDPOINT": settings.endpoint}
        if settings.dump_dir is not None:
            environment["CYBERGOV_DUMP_DIR"] = str(settings.dump_dir)
        return environment
    environment = {"CYBERGOV_READ_ONLY": "true"}
    if settings.store is not None:
        store = EmbeddedStore(settings.store)
        report = load(store)
        console.print(f"loaded {report.quads:,} quads into {settings.store}")
        store.close()
        del store  # release the store's lock before the workers open it
        environment["CYBERGOV_STORE"] = str(settings.store)
    if settings.dump_dir is not None:
        environment["CYBERGOV_DUMP_DIR"] = str(settings.dump_dir)
    return environment


def serve_one(settings: Settings, *, host: str, port: int) -> None:
    """One process: the store is loaded and the query workers started before the server
    starts its threads, so that the workers' replica is forked from this process."""
    from cybergov.api import create_app
    from cybergov.api.main import prepare

    try:
        store, runner = prepare(settings)
    except CybergovError as error:
        raise fail(error) from error
    try:
        application = create_app(settings, store=store, runner=runner)
        uvicorn.run(application, host=host, port=port, log_level="info")
    except CybergovError as error:
        raise fail(error) from error
    finally:
        runner.close()
        store.close()


@app.command("serve")
def serve_command(
    *,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")
    ] = 8000,
    store: StoreOption = None,
    endpoint: EndpointOption = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Worker processes; several only for a read-only service (see the README).",
        ),
    ] = 1,
    reload_data: Annotated[
        bool,
        typer.Option(
            "--reload-data",
            help="Watch ontology/, kg/, queries/rules/ and shapes/ and load what changes.",
        ),
    ] = False,
) -> None:
    """Serve the graph over HTTP: questions, the SPARQL endpoint, linked data, the ontology,
    the shapes, dumps, the dataset description and contributions. Loads the bundled data
    into the embedded store first; with --endpoint, serves that SPARQL server's data."""
    try:
        settings = load_settings(store=store, endpoint=endpoint, reload_data=reload_data or None)
        check_workers(settings, workers)
    except CybergovError as error:
        raise fail(error) from error
    if workers == 1:
        serve_one(settings, host=host, port=port)
        return
    shared: Path | None = None
    try:
        if settings.dump_dir is None:
            shared = Path(tempfile.mkdtemp(prefix="cybergov-dumps-"))
            settings = settings.model_copy(update={"dump_dir": shared})
        os.environ.update(prepare_workers(settings))
        uvicorn.run(
            "cybergov.api.main:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
        )
    except CybergovError as error:
        raise fail(error) from error
    finally:
        if shared is not None:
            shutil.rmtree(shared, ignore_errors=True)
