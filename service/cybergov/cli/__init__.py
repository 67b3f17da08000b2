"""The ``cybergov`` command line."""

from cybergov.cli import data, questions  # noqa: F401  (registers the commands)
from cybergov.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
