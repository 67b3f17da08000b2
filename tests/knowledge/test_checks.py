"""The quality checks: the bundled graph passes all; each check fires on its violating example."""

from __future__ import annotations

import pytest

from cybergov.errors import HeaderError
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
        if result.failed
    }
    assert failures == {}


def test_a_warning_flags_without_failing(loaded_store):
    """The official-source check is a warning: it lists the government acts that cite only
    news or research so far, and does not fail the graph."""
    results = {result.name: result for result in run_checks(loaded_store)}
    unofficial = results["unofficial-source"]
    assert unofficial.severity == "warning"
    assert not unofficial.failed
    assert all(
        result.severity == "error"
        for name, result in results.items()
        if name != "unofficial-source"
    )


def test_a_check_with_an_unknown_severity_is_refused(tmp_path):
    (tmp_path / "odd-violation.rq").write_text(
        "#+ summary: odd\n#+ description: odd\n#+ severity: fatal\n"
        "SELECT ?focus ?message WHERE { BIND(1 AS ?focus) BIND(1 AS ?message) }\n"
    )
    with pytest.raises(HeaderError, match="severity must be error or warning"):
        read_checks(tmp_path)


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
