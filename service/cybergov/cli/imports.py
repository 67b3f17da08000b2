"""``cybergov import``: bring a tracker's export into the store as an import of its own.

``cybergov import cfr|stix|misp PATH [--store DIR | --endpoint URL] [--name NAME]
[--report FILE] [--dry-run] [--withdraw] [--as-of YYYY-MM-DD]``. Prints the summary
(made, matched, for review, refused) with a progress bar while reading; ``--report FILE``
writes the full report as JSON to FILE and as text beside it (``.txt``). ``--as-of`` gives
the day of the export, the date of the tracker's attributions (the file's date otherwise).
``--withdraw`` removes the import named by the source and NAME (by default the file's name)
and what was derived from it. Exit codes:
0 imported (or unchanged, or a dry run) with no row refused, 1 rows were refused (the rest
was imported), 2 the file cannot be read or the store cannot be written.
"""

from __future__ import annotations

import gc
import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cybergov.cli.app import EndpointOption, Exit, StoreOption, app, console, fail
from cybergov.errors import CybergovError
from cybergov.importers.model import ImportReport
from cybergov.importers.report import as_text, summary_rows
from cybergov.importers.run import import_id, run_import, withdraw_import
from cybergov.importers.sources import IMPORTERS, importer_for
from cybergov.importers.terms import slug
from cybergov.knowledge.ready import Use, open_ready
from cybergov.settings import load_settings

Source = StrEnum("Source", {name: name for name in sorted(IMPORTERS)})  # type: ignore[misc]


def _write_report(path: Path, report: ImportReport) -> None:
    text_path = path.with_suffix(".txt") if path.suffix != ".txt" else path.with_suffix(".text")
    try:
        path.write_text(json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n")
        text_path.write_text(as_text(report))
    except OSError as error:
        raise fail(f"{path}: cannot write the report ({error.strerror or error})") from error
    console.print(f"report written to {path} and {text_path}")


def _print_summary(report: ImportReport) -> None:
    console.print(f"import {report.id}: {report.status}", highlight=False)
    table = Table()
    table.add_column("")
    table.add_column("count", justify="right")
    for name, value in summary_rows(report):
        table.add_row(name, value)
    console.print(table)
    if report.problems:
        console.print(f"{len(report.problems)} problems reported (see --report for each one)")


@app.command("import")
def import_command(
    source: Annotated[Source, typer.Argument(help="The kind of source: cfr, stix or misp.")],
    path: Annotated[Path, typer.Argument(help="The file or folder to import.")],
    *,
    store: StoreOption = None,
    endpoint: EndpointOption = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Name of the import (default: the file's name).")
    ] = None,
    report_file: Annotated[
        Path | None, typer.Option("--report", help="Write the full report (JSON, and text).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read, match and validate; write nothing.")
    ] = False,
    withdraw: Annotated[
        bool, typer.Option("--withdraw", help="Remove this import and what was derived from it.")
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Day of the export, YYYY-MM-DD: the date of the tracker's attributions "
            "(default: the file's date).",
        ),
    ] = None,
) -> None:
    """Import a tracker's export (CFR tracker CSV, STIX bundles, MISP galaxy) as its claims."""
    importer = importer_for(str(source))
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError as error:
        raise fail(f"--as-of {as_of!r} is not a day written YYYY-MM-DD") from error
    try:
        ready = open_ready(load_settings(store=store, endpoint=endpoint), Use.LOAD)
    except CybergovError as error:
        raise fail(error) from error
    try:
        if withdraw:
            identifier = import_id(importer.source, slug(name or path.stem, limit=40))
            added, removed = withdraw_import(ready.store, identifier)
            console.print(
                f"withdrew {identifier}; derived statements: {added:,} added, {removed:,} removed"
            )
            return
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task(f"reading {path.name}", total=None)

            def progress(done: int, total: int | None) -> None:
                bar.update(task, completed=done, total=total)

            report = run_import(
                ready.store,
                importer,
                path,
                name=name,
                dry_run=dry_run,
                as_of=day,
                progress=progress,
            )
    except CybergovError as error:
        raise fail(error) from error
    finally:
        ready.store.close()
        # pySHACL and rdflib leave reference cycles through stack frames that hold the
        # store: collect them, so that an on-disk store is released when the command returns.
        del ready
        gc.collect()
    _print_summary(report)
    if report_file is not None:
        _write_report(report_file, report)
    if report.exit_refused:
        raise typer.Exit(Exit.FAILED)
