"""Running queries from outside: worker processes killed at the deadline, caps on rows,
the answer cache, and the SPARQL results formats."""

from cybergov.execution.runner import QueryRunner
from cybergov.execution.wire import Serialised

__all__ = ["QueryRunner", "Serialised"]
