"""Quality checks: ``queries/checks/*-violation.rq``, each passing when it returns no rows.

A check is a SELECT query with at least the variables ``?focus`` (the
resource at fault) and ``?message`` (what is wrong, in plain words). Its
header may say ``severity: warning``: such a check flags what a curator should
look at (a government's act known so far only from the news, say) without
failing ``cybergov check``; every other check is an error, and the graph must
pass it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cybergov.errors import DataError, HeaderError
from cybergov.settings import data_folder
from cybergov.sparql.lexer import query_form
from cybergov.sparql.query_files import QueryFile, read_query_folder
from cybergov.store.base import Store

_REQUIRED = frozenset({"summary", "description"})
_ALLOWED = _REQUIRED | frozenset({"tags", "severity"})
SEVERITIES = ("error", "warning")
_SUFFIX = "-violation.rq"


@dataclass(frozen=True, slots=True)
class Violation:
    focus: str
    message: str


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of one check."""

    name: str
    summary: str
    violations: tuple[Violation, ...]
    severity: str = "error"

    @property
    def passed(self) -> bool:
        """Whether the check found nothing."""
        return not self.violations

    @property
    def failed(self) -> bool:
        """Whether the check found something that must be fixed (a warning never fails)."""
        return bool(self.violations) and self.severity == "error"


def severity(check: QueryFile) -> str:
    """``error`` or ``warning``, from the check's header (``error`` when it says nothing).

    Raises:
        HeaderError: the header names another severity.
    """
    value = str(check.header.get("severity", "error"))
    if value not in SEVERITIES:
        raise HeaderError(f"{check.path}: severity must be error or warning, not {value!r}")
    return value


def read_checks(folder: Path | None = None) -> list[QueryFile]:
    """Every ``*-violation.rq`` file of the checks folder.

    Raises:
        HeaderError: a check has a bad header, or a file of the folder is not
            named ``*-violation.rq``.
    """
    folder = folder or data_folder("queries") / "checks"
    misnamed = [p.name for p in folder.glob("*.rq") if not p.name.endswith(_SUFFIX)]
    if misnamed:
        raise HeaderError(f"{folder}: check files must be named *{_SUFFIX}: {', '.join(misnamed)}")
    checks = read_query_folder(folder, required=_REQUIRED, allowed=_ALLOWED, suffix=_SUFFIX)
    for check in checks:
        severity(check)
    return checks


def run_check(store: Store, check: QueryFile) -> CheckResult:
    """Run one check on the store.

    Raises:
        DataError: the check is not a SELECT with ``?focus`` and ``?message``.
    """
    if query_form(check.sparql) != "SELECT":
        raise DataError(f"{check.path}: a check must be a SELECT of ?focus and ?message")
    answer = store.select(check.sparql)
    if not {"focus", "message"} <= set(answer.variables):
        raise DataError(f"{check.path}: a check must be a SELECT of ?focus and ?message")
    violations = tuple(
        Violation(
            focus=str(row["focus"].value) if "focus" in row else "",
            message=str(row["message"].value) if "message" in row else "",
        )
        for row in answer.as_dicts()
    )
    return CheckResult(
        check.name.removesuffix("-violation"), check.summary, violations, severity(check)
    )


def run_checks(store: Store, folder: Path | None = None) -> list[CheckResult]:
    """Run every check of the folder on the store."""
    return [run_check(store, check) for check in read_checks(folder)]
