"""Commands that read the graph: ``questions``, ``ask`` and ``sparql``.

Tables are for people (IRIs shortened to prefixed names, long text wrapped);
``json``, ``xml``, ``csv`` and ``tsv`` are the SPARQL 1.1 results formats,
written exactly, for programs. Every query runs under the deadline and row
cap of the settings, in worker processes that are stopped at the deadline.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from cybergov.cli.app import EndpointOption, StoreOption, app, console, errors, fail
from cybergov.errors import CybergovError, QueryParameterError
from cybergov.execution import QueryRunner
from cybergov.execution.results import write_results
from cybergov.knowledge.ready import Use, open_ready
from cybergov.namespaces import readable
from cybergov.rdf_formats import format_by_name, serialise
from cybergov.settings import load_settings
from cybergov.sparql.catalogue import Catalogue, Question
from cybergov.store import Solutions

_NARROWEST_COLUMN = 14


class ListFormat(StrEnum):
    table = "table"
    json = "json"


class AnswerFormat(StrEnum):
    table = "table"
    json = "json"
    xml = "xml"
    csv = "csv"
    tsv = "tsv"


TimeoutOption = Annotated[
    float | None,
    typer.Option("--timeout", help="Seconds the query may run (at most the configured limit)."),
]


def print_table(answer: Solutions | bool, *, title: str | None = None) -> None:
    if isinstance(answer, bool):
        console.print("true" if answer else "false")
        return
    if len(answer.variables) * _NARROWEST_COLUMN <= console.width:
        table = Table(title=title, title_justify="left")
        for name in answer.variables:
            table.add_column(name, overflow="fold")
        for row in answer.rows:
            table.add_row(*(Text(readable(value)) for value in row))
        console.print(table)
    else:  # too many columns for the terminal: one block per row, a line per column
        if title:
            console.print(title, style="bold", highlight=False)
        for number, row in enumerate(answer.rows, start=1):
            block = Table(show_header=False, box=None, padding=(0, 1))
            block.add_column(style="bold", no_wrap=True)
            block.add_column(overflow="fold")
            for name, value in zip(answer.variables, row, strict=True):
                if value is not None:
                    block.add_row(Text(name), Text(readable(value)))
            console.rule(f"row {number}", align="left", style="dim")
            console.print(block)
    rows = len(answer.rows)
    note = f"{rows} row{'s' if rows != 1 else ''}"
    if answer.truncated:
        note += " (cut at the row limit: narrow the question, or page with --limit and --offset)"
    errors.print(note, highlight=False)


@contextmanager
def reading(store: Path | None, endpoint: str | None) -> Iterator[QueryRunner]:
    """A query runner over the store the options name, ready to read (see
    :func:`cybergov.knowledge.ready.open_ready`); the store is closed afterwards.

    Raises:
        SettingsError: the options contradict each other.
        StoreError: an on-disk store is missing, empty or cannot be opened.
        DataError: the bundled graph cannot be loaded.
    """
    settings = load_settings(store=store, endpoint=endpoint)
    target = open_ready(settings, Use.READ).store
    try:
        with QueryRunner(target, settings=settings) as runner:
            yield runner
    finally:
        target.close()


def parse_params(pairs: list[str]) -> dict[str, str]:
    """``name=value`` pairs as a mapping.

    Raises:
        QueryParameterError: a pair has no ``=`` or names a parameter twice.
    """
    values: dict[str, str] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            raise QueryParameterError(f"--param {pair!r}: write it as name=value")
        if name.strip() in values:
            raise QueryParameterError(f"--param {name.strip()!r} is given twice")
        values[name.strip()] = value
    return values


def _parameters_text(question: Question) -> str:
    lines = []
    for parameter in question.params:
        need = "required" if parameter.required else "optional"
        default = f", default {parameter.default}" if parameter.default is not None else ""
        example = parameter.term(parameter.example)
        lines.append(
            f"{parameter.name} ({parameter.type_text()}, {need}{default}) e.g. {readable(example)}"
        )
    return "\n".join(lines) or "-"


@app.command("questions")
def questions_command(
    *,
    format: Annotated[ListFormat, typer.Option("--format", "-f", help="table or json")] = (
        ListFormat.table
    ),
    tag: Annotated[str | None, typer.Option("--tag", help="Only questions with this tag.")] = None,
) -> None:
    """List the catalogue of questions, with their parameters and examples."""
    try:
        catalogue = [q for q in Catalogue.load() if tag is None or tag in q.tags]
    except CybergovError as error:
        raise fail(error) from error
    if format is ListFormat.json:
        sys.stdout.write(json.dumps([q.as_json() for q in catalogue], indent=2) + "\n")
        return
    table = Table(title=f"{len(catalogue)} questions", title_justify="left", show_lines=True)
    table.add_column("name", no_wrap=True)
    table.add_column("summary")
    table.add_column("parameters", overflow="fold")
    for question in catalogue:
        table.add_row(question.name, question.summary, _parameters_text(question))
    console.print(table)
    errors.print("ask one: cybergov ask NAME --param name=value", highlight=False)


def _write_answer(answer: Solutions | bool, format: AnswerFormat, title: str | None) -> None:
    if format is AnswerFormat.table:
        print_table(answer, title=title)
        return
    write_results(answer, sys.stdout.buffer, format.value)
    sys.stdout.buffer.flush()


@app.command("ask")
def ask_command(
    name: Annotated[str, typer.Argument(help="The question (see cybergov questions).")],
    *,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A parameter as name=value; repeat for each."),
    ] = None,
    format: Annotated[AnswerFormat, typer.Option("--format", "-f")] = AnswerFormat.table,
    limit: Annotated[int | None, typer.Option("--limit", min=0, help="Rows of one page.")] = None,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Rows to skip.")] = 0,
    timeout: TimeoutOption = None,
    store: StoreOption = None,
    endpoint: EndpointOption = None,
) -> None:
    """Answer a question of the catalogue, with its parameters bound as RDF terms."""
    try:
        question = Catalogue.load().get(name)
        values = parse_params(param or [])
        question.bind(values)  # a wrong parameter fails before any store is opened
        with reading(store, endpoint) as runner:
            answer = runner.answer(question, values, limit=limit, offset=offset, timeout=timeout)
    except CybergovError as error:
        raise fail(error) from error
    _write_answer(answer, format, question.summary)


def _read_query(query: str | None, file: Path | None) -> str:
    if file is not None and query is not None:
        raise typer.BadParameter("give the query or --file, not both")
    if file is not None:
        if str(file) == "-":
            return sys.stdin.read()
        try:
            return file.read_text(encoding="utf-8")
        except OSError as error:
            raise fail(f"cannot read {file}: {error.strerror}") from error
    if query is None or query == "-":
        return sys.stdin.read()
    return query


@app.command("sparql")
def sparql_command(
    query: Annotated[
        str | None, typer.Argument(help="A SPARQL query (default: read from standard input).")
    ] = None,
    *,
    file: Annotated[Path | None, typer.Option("--file", help="Read the query from a file.")] = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="table, json, xml, csv or tsv for SELECT and ASK; an RDF format "
            "(turtle, ntriples, jsonld, rdfxml) for CONSTRUCT and DESCRIBE.",
        ),
    ] = None,
    timeout: TimeoutOption = None,
    store: StoreOption = None,
    endpoint: EndpointOption = None,
) -> None:
    """Run any read query (SELECT, ASK, CONSTRUCT, DESCRIBE) on the graph.

    The query is checked first: updates, SERVICE, LOAD and FROM graphs the
    store does not hold are refused, and so are queries nested too deep.
    """
    text = _read_query(query, file)
    try:
        with reading(store, endpoint) as runner:
            answer = runner.query(text, timeout=timeout)
        if isinstance(answer, Solutions | bool):
            chosen = AnswerFormat(format or "table")
            _write_answer(answer, chosen, None)
            return
        graph_format = format_by_name(format or "turtle")
        sys.stdout.buffer.write(serialise(answer, graph_format))
        sys.stdout.buffer.flush()
        if getattr(answer, "truncated", False):
            errors.print("(cut at the row limit)", highlight=False)
    except ValueError as error:
        raise fail(f"unknown format {format!r}: {error}") from error
    except CybergovError as error:
        raise fail(error) from error


__all__ = ["ask_command", "questions_command", "sparql_command"]
