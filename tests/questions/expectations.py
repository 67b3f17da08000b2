"""Expected answers, written by hand from the facts of ``kg/``, and how answers are held to them.

Each ``expected/<question>.yaml`` is a list of cases::

    - why: what the case shows, and from which facts of kg/ it follows
      params: {incident: "incident:notpetya-2017"}
      includes: [{response: "response:gb-statement-2018-02-15", daysAfterIncident: 233}]
      excludes: [{response: "response:eu-sanctions-2020-10-22"}]
      rows: [...]          # exactly these rows (a closed set), in any order
      every: {date: "^2018-"}
      count: 4             # or min_count
      error: QueryParameterError

A row names only the columns that matter; a cell matches when the answer's
value (a prefixed name for a cybergov IRI, the text of a literal) equals it,
when it is a list and the answer's ``; ``-separated list holds the same
items, when it starts with ``~`` and the rest is a regular expression found
in the value, or when it starts with ``>=`` and the value is a number at
least that large. The curated graph grows: closed sets (the EU's listings,
NATO's members on a date) are asserted whole, open ones by required rows.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pyoxigraph import Literal, NamedNode

from cybergov.namespaces import PREFIXES
from cybergov.store import Solutions, Term

EXPECTED = Path(__file__).parent / "expected"
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


def cell(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        for prefix, namespace in _BY_LENGTH:
            if term.value.startswith(namespace):
                return f"{prefix}:{term.value[len(namespace) :]}"
        return term.value
    if isinstance(term, Literal):
        return term.value
    return f"_:{term.value}"


def matches(value: str, wanted: Any) -> bool:
    if isinstance(wanted, list):
        return sorted(p for p in value.split("; ") if p) == sorted(str(w) for w in wanted)
    if isinstance(wanted, bool):
        return value == str(wanted).lower()
    if isinstance(wanted, int | float):
        try:
            return float(value) == float(wanted)
        except ValueError:
            return False
    text = str(wanted)
    if text.startswith("~"):
        return re.search(text[1:], value) is not None
    if text.startswith(">="):
        try:
            return float(value) >= float(text[2:])
        except ValueError:
            return False
    return value == text


def records(answer: Solutions) -> list[dict[str, str]]:
    return [
        {name: cell(value) for name, value in zip(answer.variables, row, strict=True)}
        for row in answer.rows
    ]


def row_matches(record: dict[str, str], wanted: dict[str, Any]) -> bool:
    return all(name in record and matches(record[name], value) for name, value in wanted.items())


def check(answer: Solutions, case: dict[str, Any]) -> list[str]:
    """What is wrong with an answer, in words (empty when it meets the case)."""
    problems: list[str] = []
    found = records(answer)
    for wanted in case.get("includes", []) + case.get("rows", []):
        if not any(row_matches(record, wanted) for record in found):
            problems.append(f"no row matches {wanted}")
    for unwanted in case.get("excludes", []):
        if any(row_matches(record, unwanted) for record in found):
            problems.append(f"a row matches {unwanted}, which should not be there")
    if "rows" in case:
        for record in found:
            if not any(row_matches(record, wanted) for wanted in case["rows"]):
                shown = {k: record[k] for k in case["rows"][0] if k in record}
                problems.append(f"unexpected row {shown}")
        if len(found) != len(case["rows"]):
            problems.append(f"{len(found)} rows instead of {len(case['rows'])}")
    for name, pattern in case.get("every", {}).items():
        for record in found:
            if not matches(record.get(name, ""), pattern):
                problems.append(f"row with {name}={record.get(name)!r} does not match {pattern!r}")
    if "count" in case and len(found) != case["count"]:
        problems.append(f"{len(found)} rows instead of {case['count']}")
    if "min_count" in case and len(found) < case["min_count"]:
        problems.append(f"{len(found)} rows, fewer than {case['min_count']}")
    return problems


def load_cases() -> list[tuple[str, int, dict[str, Any]]]:
    cases = []
    for path in sorted(EXPECTED.glob("*.yaml")):
        for number, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
            cases.append((path.stem, number, case))
    return cases
