"""Guarded query execution: screening, deadlines that really stop queries, caps on rows."""

from cybergov.execution.runner import QueryRunner
from cybergov.execution.screen import Limits, ScreenedQuery, check_dataset, screen
from cybergov.execution.wire import Serialised

__all__ = ["Limits", "QueryRunner", "ScreenedQuery", "Serialised", "check_dataset", "screen"]
