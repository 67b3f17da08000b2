"""``cybergov check``, run as a user runs it: 0 when every check passes, 1 when one fails,
2 when the data cannot be loaded."""

from __future__ import annotations

import re

import pytest
from pyoxigraph import RdfFormat
from typer.testing import CliRunner

from cybergov.cli import app
from cybergov.namespaces import graph_iri
from cybergov.store import EmbeddedStore
from tests.conftest import FIXTURES, copy_of_loaded
from tests.servers import free_port

runner = CliRunner()


def test_the_bundled_graph_passes_every_check():
    result = runner.invoke(app, ["check", "--no-reasoner"])
    assert result.exit_code == 0, result.output
    assert "pass unsourced-record" in result.output
    assert "FAIL" not in result.output
    assert "quads in" in result.output, "the summary closes the report"


def counted(pattern: str, output: str) -> int:
    """The number (written ``12,345``) that ``pattern``'s group finds in ``output``."""
    found = re.search(pattern, output)
    assert found, f"{pattern!r} not in {output}"
    return int(found.group(1).replace(",", ""))


@pytest.mark.slow
def test_the_reasoner_and_the_profile_checker_pass_the_published_graph():
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "pass reasoner: the ontology with" in output
    assert "is consistent, no unsatisfiable class" in output
    assert "pass OWL 2 DL profile: no violation" in output
    # the ontology with every curated and derived fact
    assert counted(r"the ontology with ([\d,]+) published triples", output) > 10_000
    assert counted(r"\((\d+) classes, HermiT", output) > 80
    assert counted(r"no violation in ([\d,]+) axioms", output) > 10_000


def store_with(folder, turtle: str):
    """A copy of the loaded on-disk store with one more contributed graph."""
    store = EmbeddedStore(folder)
    store.replace_graph(
        graph_iri("contribution", "20250101T000000Z-0123abcd"),
        turtle.encode(),
        format=RdfFormat.TURTLE,
        source="test",
    )
    store.close()
    del store  # release the store's lock before the command opens it
    return folder


PREFIXES = """
@prefix cg: <https://w3id.org/cybergov/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@pytest.mark.slow
def test_a_date_outside_the_owl_2_datatype_map_fails_both_tools(tmp_path, loaded_folder):
    folder = store_with(
        copy_of_loaded(loaded_folder, tmp_path / "store"),
        PREFIXES
        + '<https://w3id.org/cybergov/id/incident/notpetya-2017> cg:endDate "2017-07-01"^^xsd:date .',
    )
    result = runner.invoke(app, ["check", "--store", str(folder)])
    assert result.exit_code == 1, result.output
    output = " ".join(result.output.split())
    assert "FAIL OWL 2 DL profile" in output and "UseOfUndeclaredDatatype" in output
    assert "FAIL reasoner" in output


@pytest.mark.slow
def test_an_inconsistent_published_graph_fails_with_1(tmp_path, loaded_folder):
    """A state that is also a company: the kinds of actors are disjoint."""
    folder = store_with(
        copy_of_loaded(loaded_folder, tmp_path / "store"),
        PREFIXES + "<https://w3id.org/cybergov/id/state/FR> a cg:Company .",
    )
    result = runner.invoke(app, ["check", "--store", str(folder)])
    assert result.exit_code == 1, result.output
    output = " ".join(result.output.split())
    assert "FAIL reasoner: the published graph is inconsistent" in output
    assert "pass OWL 2 DL profile" in output


def test_a_store_holding_an_unsourced_incident_fails_with_1(tmp_path, loaded_folder):
    folder = copy_of_loaded(loaded_folder, tmp_path / "store")
    store = EmbeddedStore(folder)
    example = FIXTURES / "checks" / "unsourced-record.ttl"
    store.replace_graph(
        graph_iri("contribution", "20250101T000000Z-0123abcd"),
        example.read_bytes(),
        format=RdfFormat.TURTLE,
        source=str(example),
    )
    store.close()
    del store  # release the store's lock before the command opens it
    result = runner.invoke(app, ["check", "--no-reasoner", "--store", str(folder)])
    assert result.exit_code == 1, result.output
    output = " ".join(result.output.split())
    assert "FAIL unsourced-record" in output
    assert "<https://w3id.org/cybergov/id/incident/unsourced>" in output
    assert "<https://w3id.org/cybergov/id/incident/sourced>" not in output


def test_a_store_that_cannot_be_opened_exits_2(tmp_path):
    not_a_folder = tmp_path / "store"
    not_a_folder.write_text("a file where the store should be")
    result = runner.invoke(app, ["check", "--no-reasoner", "--store", str(not_a_folder)])
    assert result.exit_code == 2
    assert "error:" in result.output and str(not_a_folder) in " ".join(result.output.split())


def test_an_unreachable_server_exits_2():
    endpoint = f"http://127.0.0.1:{free_port()}/query"
    result = runner.invoke(app, ["check", "--no-reasoner", "--endpoint", endpoint])
    assert result.exit_code == 2
    assert "cannot reach" in " ".join(result.output.split())
