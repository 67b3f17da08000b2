"""``cybergov check``, run as a user runs it: 0 when every check passes, 1 when one fails,
2 when the data cannot be loaded."""

from __future__ import annotations

import pytest
from pyoxigraph import RdfFormat
from typer.testing import CliRunner

from cybergov.cli import app
from cybergov.namespaces import graph_iri
from cybergov.store import EmbeddedStore
from tests.conftest import FIXTURES
from tests.servers import free_port

runner = CliRunner()


def test_the_bundled_graph_passes_every_check():
    result = runner.invoke(app, ["check", "--no-reasoner"])
    assert result.exit_code == 0, result.output
    assert "pass unsourced-record" in result.output
    assert "FAIL" not in result.output
    assert "quads in" in result.output, "the summary closes the report"


@pytest.mark.slow
def test_the_reasoner_proves_the_ontology_consistent():
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "pass ontology: consistent, no unsatisfiable class" in result.output


def test_a_store_holding_an_unsourced_incident_fails_with_1(tmp_path):
    folder = tmp_path / "store"
    assert runner.invoke(app, ["load", "--store", str(folder)]).exit_code == 0
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
