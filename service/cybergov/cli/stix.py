"""``cybergov export stix``: the graph as a STIX 2.1 bundle."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cybergov.cli.app import EndpointOption, StoreOption, fail
from cybergov.cli.exchange import export_app, exporting
from cybergov.errors import CybergovError
from cybergov.exchange.stix import CURATED, export_stix, parse_since


@export_app.command("stix")
def stix_command(
    graph: Annotated[
        str,
        typer.Option(
            "--graph", help="'curated' (every kg/ graph) or the IRI of one import's graph."
        ),
    ] = CURATED,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only objects modified at or after DATE (2024-05-01)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the bundle here (default: stdout).")
    ] = None,
    store: StoreOption = None,
    endpoint: EndpointOption = None,
) -> None:
    """Write a STIX 2.1 bundle of the graph: actors, groups, incidents, attributions (by their
    attributors, with confidence on STIX's scale), responses and listings."""
    try:
        moment = parse_since(since) if since else None
        with exporting(store, endpoint) as runner:
            body = export_stix(runner, graph=graph, since=moment).body() + b"\n"
    except CybergovError as error:
        raise fail(error) from error
    if output is None:
        sys.stdout.buffer.write(body)
        return
    try:
        output.write_bytes(body)
    except OSError as error:
        raise fail(f"cannot write {output}: {error}") from error


__all__ = ["stix_command"]
