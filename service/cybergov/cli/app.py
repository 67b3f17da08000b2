"""The ``cybergov`` command line: thin commands over the library's functions.

Exit codes are a contract: 0 success (or conforms), 1 the data does not pass
(failed check, does not conform), 2 the input could not be read or the
command could not run.
"""

from __future__ import annotations

import logging
from enum import IntEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from cybergov.errors import CybergovError

app = typer.Typer(
    name="cybergov",
    help="The knowledge graph of cyberspace governance.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)


class Exit(IntEnum):
    """The exit codes of every command."""

    OK = 0
    """Success: done, or everything passes or conforms."""
    FAILED = 1
    """The data does not pass: a check failed, a contribution does not conform."""
    ERROR = 2
    """The input could not be read, or the command could not run."""


StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store", help="Folder of the on-disk store (default: in memory).", envvar="CYBERGOV_STORE"
    ),
]
EndpointOption = Annotated[
    str | None,
    typer.Option(
        "--endpoint",
        help="SPARQL endpoint of a remote store instead of the embedded one "
        "(Oxigraph: http://HOST:7878/query, started with --union-default-graph).",
        envvar="CYBERGOV_ENDPOINT",
    ),
]


def print_error(error: CybergovError | str) -> None:
    """Print an error on stderr; its text (file names, IRIs, values) is never read as markup."""
    errors.print(
        f"[bold red]error:[/bold red] {escape(str(error))}", highlight=False, soft_wrap=True
    )


def fail(error: CybergovError | str) -> typer.Exit:
    """Print an error in plain words and return the exit for 'could not run'."""
    print_error(error)
    return typer.Exit(Exit.ERROR)


@app.callback()
def main_options(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
