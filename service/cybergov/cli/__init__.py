"""The ``cybergov`` command line."""

from cybergov.cli import (
    data,  # noqa: F401  (registers the commands)
    exchange,  # noqa: F401  (registers the commands)
    imports,  # noqa: F401  (registers the command)
    questions,  # noqa: F401  (registers the commands)
    serve,  # noqa: F401
    stix,  # noqa: F401  (registers the command)
    validate,  # noqa: F401  (registers the command)
)
from cybergov.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
