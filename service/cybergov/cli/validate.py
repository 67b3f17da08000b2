"""``cybergov validate``: check contributions against the shapes, in the context of the graph.

``--format`` names the input format (``turtle``, ``nt``, ``json-ld``, ``rdfxml``) when
the extension does not tell it; ``--output`` chooses what is printed: ``text`` for
people, ``json`` for programs. ``--report FILE`` also writes the SHACL report graph
(Turtle). ``--store`` or ``--endpoint`` names the graph that gives the context (the
bundled graph by default). Exit codes: 0 every file conforms, 1 a file does not conform,
2 a file could not be read (its syntax error with file, line and column) or the graph
could not load.
"""

from __future__ import annotations

import gc
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import rdflib
import typer
from pyoxigraph import RdfFormat
from rdflib.namespace import RDFS

from cybergov.cli.app import (
    EndpointOption,
    Exit,
    StoreOption,
    app,
    console,
    print_error,
)
from cybergov.contribute.intake import (
    FORMAT_NAMES,
    IntakeLimits,
    contribution_format,
    read_contribution,
)
from cybergov.contribute.validation import validate_contribution
from cybergov.contribute.validation_report import ValidationReport
from cybergov.errors import CybergovError, DataError, UnsupportedFormat
from cybergov.knowledge.ready import Use, open_ready
from cybergov.namespaces import SH, bind_prefixes
from cybergov.settings import load_settings
from cybergov.store import Store


class Output(StrEnum):
    text = "text"
    json = "json"


_FORMAT_HELP = (
    "Format of the files when their extension does not tell it: "
    + ", ".join(FORMAT_NAMES.values())
    + " (or a media type)."
)


def _error_json(source: str, error: CybergovError) -> dict[str, Any]:
    found: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
    for field in ("line", "column"):
        value = getattr(error, field, None)
        if value is not None:
            found[field] = value
    return {"source": source, "conforms": None, "error": found}


def _write_report(path: Path, reports: list[ValidationReport]) -> None:
    graph = rdflib.Graph(bind_namespaces="none")
    bind_prefixes(graph.namespace_manager)
    graph.bind("sh", str(SH), override=True)
    for report in reports:
        for triple in report.graph:
            graph.add(triple)
        for node in report.graph.subjects(rdflib.RDF.type, SH.ValidationReport):
            graph.add(
                (node, RDFS.comment, rdflib.Literal(f"validation of {report.source}", lang="en"))
            )
    try:
        path.write_text(graph.serialize(format="turtle"), encoding="utf-8")
    except OSError as error:
        raise DataError(f"{path}: cannot write the report: {error.strerror or error}") from error


@app.command("validate")
def validate_command(
    files: Annotated[list[Path], typer.Argument(help="Contribution files to validate.")],
    *,
    format: Annotated[str | None, typer.Option("--format", "-f", help=_FORMAT_HELP)] = None,
    output: Annotated[
        Output, typer.Option("--output", "-o", help="text for people, json for programs.")
    ] = Output.text,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Also write the SHACL validation report graph (Turtle)."),
    ] = None,
    store: StoreOption = None,
    endpoint: EndpointOption = None,
) -> None:
    """Validate contributions against the shapes, in the context of the graph.

    Each file is checked with the ontology and with what the graph knows of the
    resources it points at (the bundled graph, the store given with --store, or the
    SPARQL server given with --endpoint).
    Exits 0 when every file conforms, 1 when one does not, 2 when one cannot be read.
    """
    raise typer.Exit(
        run_validation(
            files, format=format, output=output, report=report, store=store, endpoint=endpoint
        )
    )


def run_validation(
    files: list[Path],
    *,
    format: str | None,
    output: Output,
    report: Path | None,
    store: Path | None,
    endpoint: str | None = None,
) -> int:
    """Validate the files, print the outcome and return the exit code.

    The store is opened and released here, not in the command, so that an on-disk store
    is closed (and its lock freed) before the command exits.
    """
    if format is not None and format.strip().lower() == "json":
        print_error(
            UnsupportedFormat(
                "--format names the format of the input files (JSON-LD is json-ld); "
                "for a report in JSON, use --output json"
            )
        )
        return Exit.ERROR
    try:
        settings = load_settings(store=store, endpoint=endpoint)
        limits = IntakeLimits.from_settings(settings)
        chosen = contribution_format(name=format) if format else None
        graph_store = open_ready(settings, Use.READ).store
    except CybergovError as error:
        print_error(error)
        return Exit.ERROR
    try:
        reports, entries = _validate_files(files, graph_store, chosen, limits, output)
    finally:
        graph_store.close()
        # Exceptions raised and handled inside pySHACL and rdflib leave reference cycles
        # through stack frames that hold the store; collect them, so that an on-disk store
        # is released (its lock freed) when the command returns, also when several commands
        # run in one process (tests, notebooks).
        del graph_store
        gc.collect()
    unreadable = len(reports) < len(files)
    if report is not None:
        try:
            _write_report(report, reports)
        except CybergovError as error:
            print_error(error)
            return Exit.ERROR
    conforms = all(r.conforms for r in reports)
    if output is Output.json:
        document = {"conforms": conforms and not unreadable, "files": entries}
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
    if unreadable:
        return Exit.ERROR
    return Exit.OK if conforms else Exit.FAILED


def _validate_files(
    files: list[Path],
    store: Store,
    chosen: RdfFormat | None,
    limits: IntakeLimits,
    output: Output,
) -> tuple[list[ValidationReport], list[dict[str, Any]]]:
    reports: list[ValidationReport] = []
    entries: list[dict[str, Any]] = []
    for path in files:
        try:
            contribution = read_contribution(path, format=chosen, limits=limits)
            result = validate_contribution(contribution, store, source=str(path))
        except CybergovError as error:
            entries.append(_error_json(str(path), error))
            if output is Output.text:
                print_error(error)
            continue
        reports.append(result)
        entries.append(result.as_json())
        if output is Output.text:
            console.print(result.to_text(), end="", highlight=False, markup=False, soft_wrap=True)
    return reports, entries


__all__ = ["run_validation", "validate_command"]
