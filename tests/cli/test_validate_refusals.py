"""``cybergov validate`` on what no contribution may hold: a message naming the IRI at fault
and the exit code for input refused (2), never a traceback and never 1 (does not conform)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cybergov.cli import app
from tests.conftest import READ_ONLY

runner = CliRunner()
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"

ATTACKS = {
    "mailto.ttl": (f'<mailto:a@example.org> {LABEL} "x" .', "mailto:a@example.org"),
    "tag.nt": (f'<tag:example.org,2024:x> {LABEL} "x" .', "tag:example.org,2024:x"),
    "did.ttl": (f'<did:example:123> {LABEL} "x" .', "did:example:123"),
    "context.jsonld": (
        '{"@id": "incident:x", "http://www.w3.org/2000/01/rdf-schema#label": "x"}',
        "incident:x",
    ),
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_an_iri_of_another_scheme_exits_2_with_a_message(tmp_path, name, loaded_folder):
    text, named = ATTACKS[name]
    path = tmp_path / name
    path.write_text(text)
    result = runner.invoke(
        app, ["validate", "--store", str(loaded_folder), str(path)], env=READ_ONLY
    )
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    output = result.output.replace("\n", "")
    assert named in output and "https://w3id.org/cybergov/id/" in output
