"""The quality checks: the bundled graph passes all; each check fires on its violating example."""

from __future__ import annotations

import pytest

from cybergov.knowledge.checks import read_checks, run_check, run_checks
from tests.conftest import FIXTURES, ontology_store

CHECKS = {check.name.removesuffix("-violation"): check for check in read_checks()}
SEPARATOR = "# ---- next graph ----"


def test_every_check_has_a_violating_example():
    examples = {path.stem for path in (FIXTURES / "checks").glob("*.ttl")}
    assert set(CHECKS) == examples


def test_the_bundled_graph_passes_every_check(loaded_store):
    failures = {
        result.name: [f"{v.focus}: {v.message}" for v in result.violations[:10]]
        for result in run_checks(loaded_store)
        if not result.passed
    }
    assert failures == {}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_the_check_fires_on_exactly_its_violations(name):
    text = (FIXTURES / "checks" / f"{name}.ttl").read_text()
    expected = {
        line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("# expect:")
    }
    store = ontology_store(*text.split(SEPARATOR))
    result = run_check(store, CHECKS[name])
    assert {v.focus for v in result.violations} == expected
    assert all(v.message for v in result.violations)
