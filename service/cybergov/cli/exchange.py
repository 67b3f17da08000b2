"""Commands that hand the graph to partners: ``export tables``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from cybergov.cli.app import EndpointOption, StoreOption, app, console, fail
from cybergov.errors import CybergovError
from cybergov.exchange.tables import read_tables, write_tables
from cybergov.exchange.version import graph_version
from cybergov.execution import QueryRunner
from cybergov.knowledge.ready import Use, open_ready
from cybergov.settings import Settings, load_settings

export_app = typer.Typer(help="Write the graph in the formats partners use.", no_args_is_help=True)
app.add_typer(export_app, name="export")

#: An export reads whole tables: it is the operator's own reading, not a query from outside,
#: so the row cap and the deadline of queries from outside are raised to these at least.
EXPORT_ROWS = 100_000_000
EXPORT_SECONDS = 3_600.0


def export_settings(settings: Settings) -> Settings:
    """The settings with the row cap and deadline an export needs."""
    return settings.model_copy(
        update={
            "max_rows": max(settings.max_rows, EXPORT_ROWS),
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


__all__ = ["export_app", "export_settings", "exporting"]
