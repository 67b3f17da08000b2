"""Commands that hand the graph to partners: ``export tables``, ``release``, ``changes``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from cybergov.cli.app import EndpointOption, StoreOption, app, console, errors, fail
from cybergov.errors import CybergovError
from cybergov.exchange.releases import (
    CANONICAL_FILENAME,
    PERSISTENT_BASE,
    Releases,
    release_folder,
)
from cybergov.exchange.tables import read_tables, write_tables
from cybergov.exchange.version import graph_version
from cybergov.execution import QueryRunner
from cybergov.knowledge.ready import Use, open_ready
from cybergov.settings import Settings, load_settings

export_app = typer.Typer(help="Write the graph in the formats partners use.", no_args_is_help=True)
app.add_typer(export_app, name="export")

#: An export reads whole tables: it is the operator's own reading, not a query from outside,
#: so the row cap, the answer size cap and the deadline of queries from outside are raised
#: to these at least (the attributions of a 1M-triple graph are a 150 MB answer).
EXPORT_ROWS = 100_000_000
EXPORT_ANSWER_BYTES = 8 * 1024**3
EXPORT_SECONDS = 3_600.0


def export_settings(settings: Settings) -> Settings:
    """The settings with the row cap, answer size cap and deadline an export needs."""
    return settings.model_copy(
        update={
            "max_rows": max(settings.max_rows, EXPORT_ROWS),
            "max_answer_bytes": max(settings.max_answer_bytes, EXPORT_ANSWER_BYTES),
            "query_timeout": max(settings.query_timeout, EXPORT_SECONDS),
        }
    )


@contextmanager
def exporting(store: Path | None, endpoint: str | None) -> Iterator[QueryRunner]:
    """A query runner for exports over the store the options name; closed afterwards.

    Raises:
        CybergovError: the settings are invalid, or the store cannot be opened or loaded.
    """
    settings = export_settings(load_settings(store=store, endpoint=endpoint))
    target = open_ready(settings, Use.READ).store
    try:
        with QueryRunner(target, settings=settings) as runner:
            yield runner
    finally:
        target.close()


OutputOption = Annotated[
    Path, typer.Option("--output", "-o", help="Folder to write into (created if missing).")
]


@export_app.command("tables")
def export_tables_command(
    *,
    output: OutputOption = Path("tables"),
    store: StoreOption = None,
    endpoint: EndpointOption = None,
) -> None:
    """Write the research tables: one CSV per kind of record, their long-form values, the
    entities they cite, the codebook, datapackage.json (Frictionless), a zip of them all
    and SHA256SUMS."""
    try:
        with exporting(store, endpoint) as runner:
            tables = read_tables(runner, version=graph_version(runner.store))
        files = write_tables(tables, output)
    except CybergovError as error:
        raise fail(error) from error
    summary = RichTable(title=f"research tables in {output}", title_justify="left")
    summary.add_column("table")
    summary.add_column("rows", justify="right")
    for table in tables.tables:
        summary.add_row(table.spec.name, f"{len(table.rows):,}")
    summary.add_row("entities", f"{len(tables.entities):,}")
    console.print(summary)
    console.print(f"{len(files)} files written", highlight=False)


ReleasesOption = Annotated[
    Path | None,
    typer.Option(
        "--releases",
        help="Folder of the releases (default: releases/ beside the on-disk store).",
        envvar="CYBERGOV_RELEASE_DIR",
    ),
]
BaseUrlOption = Annotated[
    str,
    typer.Option("--base-url", help="Persistent base URL of the releases, ending with '/'."),
]


def _releases(store: Path | None, endpoint: str | None, folder: Path | None, base: str) -> Releases:
    settings = load_settings(store=store, endpoint=endpoint)
    return Releases(folder or release_folder(settings), base=base)


@app.command("release")
def release_command(
    version: Annotated[str, typer.Argument(help="Semantic version of the data, as 1.2.0.")],
    *,
    on: Annotated[
        datetime | None,
        typer.Option("--date", formats=["%Y-%m-%d"], help="Date of the release (default: today)."),
    ] = None,
    releases: ReleasesOption = None,
    base_url: BaseUrlOption = PERSISTENT_BASE,
    store: StoreOption = None,
    endpoint: EndpointOption = None,
) -> None:
    """Freeze the graph as a release: its dumps in every format with their SHA-256, the
    canonical N-Quads whose SHA-256 is the release checksum, the research tables, a DCAT
    description, CITATION.cff and DataCite JSON. A release is never written again."""
    try:
        kept = _releases(store, endpoint, releases, base_url)
        with exporting(store, endpoint) as runner:
            made = kept.freeze(runner, version, on=on.date() if on else None)
    except CybergovError as error:
        raise fail(error) from error
    console.print(
        f"release {made.version} of {made.date}: {made.statements:,} statements, "
        f"{len(made.files)} files in {made.folder}\nchecksum (SHA-256 of "
        f"{CANONICAL_FILENAME}): {made.checksum}",
        highlight=False,
    )


@app.command("changes")
def changes_command(
    source: Annotated[str, typer.Argument(help="The release to start from.")],
    target: Annotated[
        str | None, typer.Argument(help="The release to reach (default: the live store).")
    ] = None,
    *,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
    releases: ReleasesOption = None,
    store: StoreOption = None,
    endpoint: EndpointOption = None,
) -> None:
    """The statements added and removed from one release to another (or to the live store),
    per named graph, as an RDF Patch; applied to the canonical N-Quads of the first, it
    gives the checksum of the second (see the README, "Exchange with partners")."""
    try:
        kept = _releases(store, endpoint, releases, PERSISTENT_BASE)
        if target is None:
            with exporting(store, endpoint) as runner:
                changes = kept.changes(source, store=runner.store)
        else:
            changes = kept.changes(source, target)
    except CybergovError as error:
        raise fail(error) from error
    patch = changes.patch()
    if output is None:
        sys.stdout.write(patch)
    else:
        output.write_text(patch, encoding="utf-8")
    errors.print(
        f"{len(changes.removed):,} removed, {len(changes.added):,} added "
        f"in {len(changes.by_graph())} graphs; {changes.target} has checksum "
        f"{changes.target_checksum}",
        highlight=False,
    )


__all__ = [
    "changes_command",
    "export_app",
    "export_settings",
    "exporting",
    "release_command",
]
