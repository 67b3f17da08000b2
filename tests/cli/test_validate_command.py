"""``cybergov validate``, run as a user runs it: outputs, report file, store, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import rdflib
from typer.testing import CliRunner, Result

from cybergov.cli import app
from cybergov.namespaces import SH
from tests.conftest import READ_ONLY, copy_of_loaded

runner = CliRunner()
EXAMPLES = Path(__file__).parent.parent / "shapes"
PASSING = EXAMPLES / "AttributionShape_PASS.ttl"
FAILING = EXAMPLES / "AttributionShape_XFAIL.ttl"


def validate(loaded_folder: Path, *arguments: str) -> Result:
    """``cybergov validate`` against the loaded on-disk store, read-only; the first two tests
    run it as a user first does, loading the graph into memory."""
    return runner.invoke(
        app, ["validate", "--store", str(loaded_folder), *arguments], env=READ_ONLY
    )


def test_a_conforming_file_exits_0():
    result = runner.invoke(app, ["validate", str(PASSING)])
    assert result.exit_code == 0, result.output
    assert f"{PASSING}: conforms" in result.output


def test_a_failing_file_exits_1_and_says_what_to_fix():
    result = runner.invoke(app, ["validate", str(FAILING)])
    assert result.exit_code == 1, result.output
    assert "does not conform: 7 problems" in result.output
    assert "attribution:notpetya-2017--example-early" in result.output
    assert "An attribution needs at least one public source (source)" in result.output
    assert "attribution-basis:rumour" in result.output


def test_a_syntax_error_exits_2_with_file_line_and_column(tmp_path, loaded_folder):
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <http://x.example/> .\nex:a ex:b ex:c .\nex:a ex:b .\n")
    result = validate(loaded_folder, str(broken))
    assert result.exit_code == 2
    assert f"{broken}, line 3, column 11:" in result.output.replace("\n", "")


def test_the_format_option_reads_a_file_whose_extension_says_nothing(tmp_path, loaded_folder):
    copy = tmp_path / "attribution.txt"
    shutil.copy(PASSING, copy)
    assert validate(loaded_folder, str(copy)).exit_code == 2
    result = validate(loaded_folder, "--format", "turtle", str(copy))
    assert result.exit_code == 0, result.output


def test_an_unknown_format_name_exits_2():
    result = runner.invoke(app, ["validate", "--format", "trig", str(PASSING)])
    assert result.exit_code == 2
    assert "not accepted for a contribution" in result.output


def test_json_output_is_one_document_for_all_files(tmp_path, loaded_folder):
    missing = tmp_path / "missing.ttl"
    result = validate(loaded_folder, "--output", "json", str(PASSING), str(FAILING), str(missing))
    assert result.exit_code == 2  # one file could not be read
    document = json.loads(result.stdout)
    assert document["conforms"] is False
    passing, failing, unreadable = document["files"]
    assert passing["conforms"] is True and passing["results"] == []
    assert failing["conforms"] is False and len(failing["results"]) == 7
    assert {r["pathLabel"] for r in failing["results"]} >= {"attribution date", "source"}
    assert unreadable["error"]["type"] == "DataNotFound"


def test_exit_1_when_one_of_several_files_does_not_conform(loaded_folder):
    result = validate(loaded_folder, str(PASSING), str(FAILING))
    assert result.exit_code == 1


def test_the_report_option_writes_the_shacl_report_graph(tmp_path, loaded_folder):
    target = tmp_path / "report.ttl"
    result = validate(loaded_folder, "--report", str(target), str(FAILING))
    assert result.exit_code == 1
    graph = rdflib.Graph().parse(target, format="turtle")
    (report,) = graph.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms) == rdflib.Literal(False)
    assert len(list(graph.objects(report, SH.result))) == 7


def test_validation_against_a_store_on_disk(tmp_path, loaded_folder):
    store = copy_of_loaded(loaded_folder, tmp_path / "store")  # opened for writing: a copy
    assert runner.invoke(app, ["validate", "--store", str(store), str(PASSING)]).exit_code == 0
    assert runner.invoke(app, ["validate", "--store", str(store), str(FAILING)]).exit_code == 1


def test_an_empty_or_missing_store_exits_2(tmp_path):
    result = runner.invoke(app, ["validate", "--store", str(tmp_path / "none"), str(PASSING)])
    assert result.exit_code == 2
    assert "cybergov load --store" in result.output
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["validate", "--store", str(tmp_path / "empty"), str(PASSING)])
    assert result.exit_code == 2
    assert "empty" in result.output


def test_format_json_is_told_apart_from_output_json():
    result = runner.invoke(app, ["validate", "--format", "json", str(PASSING)])
    assert result.exit_code == 2
    assert "--output json" in result.output


@pytest.mark.server
def test_validation_against_a_sparql_server(remote_store):
    endpoint = remote_store.endpoints.query
    assert runner.invoke(app, ["validate", "--endpoint", endpoint, str(PASSING)]).exit_code == 0
    failing = runner.invoke(app, ["validate", "--endpoint", endpoint, str(FAILING)])
    assert failing.exit_code == 1
    assert "does not conform: 7 problems" in failing.output


def test_a_store_and_an_endpoint_together_exit_2(tmp_path):
    result = runner.invoke(
        app,
        ["validate", "--store", str(tmp_path), "--endpoint", "http://127.0.0.1:9/", str(PASSING)],
    )
    assert result.exit_code == 2
    assert "not both" in result.output
