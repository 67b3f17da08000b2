"""``python -m cybergov``: the command line."""

from cybergov.cli import main

main()
