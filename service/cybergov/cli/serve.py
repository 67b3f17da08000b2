"""The ``serve`` command: the HTTP service (how it runs: :mod:`cybergov.api.processes`)."""

from __future__ import annotations

from typing import Annotated

import typer

from cybergov.cli.app import EndpointOption, StoreOption, app, fail
from cybergov.errors import CybergovError
from cybergov.settings import load_settings


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
            help="Server processes; several only for a read-only service (see the README).",
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
    from cybergov.api import processes  # the service's modules load only for this command

    try:
        settings = load_settings(store=store, endpoint=endpoint, reload_data=reload_data or None)
        processes.serve(settings, host=host, port=port, processes=workers)
    except CybergovError as error:
        raise fail(error) from error
