"""Guarded query execution: screening, deadlines that really stop queries, caps on rows."""

from cybergov.execution.runner import QueryRunner
from cybergov.execution.screen import Limits, ScreenedQuery, check_dataset, screen

__all__ = ["Limits", "QueryRunner", "ScreenedQuery", "check_dataset", "screen"]
