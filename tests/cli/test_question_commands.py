"""The questions, ask and sparql commands, run as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from pyoxigraph import QueryResultsFormat, RdfFormat, parse, parse_query_results
from typer.testing import CliRunner

from cybergov.cli import app
from cybergov.sparql.catalogue import Catalogue
from tests.conftest import READ_ONLY

runner = CliRunner()
NOTPETYA = ["--param", "incident=incident:notpetya-2017"]


def cybergov(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """The command in a process of its own, so that machine formats are checked byte for byte.

    Most read the on-disk store that ``loaded_folder`` loads once (``--store``, read-only)
    rather than loading the graph into memory each time; the commands without ``--store``
    (loading it) are run by the tests that print for people and by the first query of the
    sparql test."""
    return subprocess.run(
        [sys.executable, "-m", "cybergov", *args],
        env={**os.environ, **READ_ONLY},
        capture_output=True,
        timeout=120,
        check=False,
        input=stdin,
    )


def test_questions_lists_the_catalogue_for_people_and_programs():
    table = runner.invoke(app, ["questions"])
    assert table.exit_code == 0, table.output
    assert "incident-responses" in table.output and "notpetya" in table.output
    listed = runner.invoke(app, ["questions", "--format", "json"])
    assert listed.exit_code == 0
    questions = json.loads(listed.stdout)
    assert {q["name"] for q in questions} == {q.name for q in Catalogue.load()}
    responses = next(q for q in questions if q["name"] == "incident-responses")
    assert responses["params"][0] == {
        "name": "incident",
        "type": "iri",
        "required": True,
        "example": "https://w3id.org/cybergov/id/incident/notpetya-2017",
        "description": "The incident.",
    }


def test_ask_prints_a_table_for_people():
    result = runner.invoke(app, ["ask", "incident-responses", *NOTPETYA])
    assert result.exit_code == 0, result.output
    assert "response:gb-statement-2018-02-15" in result.output and "233" in result.output


def test_ask_writes_sparql_json_results_exactly(loaded_folder):
    done = cybergov(
        "ask", "incident-responses", *NOTPETYA, "--format", "json", "--store", str(loaded_folder)
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["truncated"] is False
    parsed = parse_query_results(done.stdout, QueryResultsFormat.JSON)
    responses = {solution["response"].value for solution in parsed}
    assert "https://w3id.org/cybergov/id/response/gb-statement-2018-02-15" in responses


@pytest.mark.parametrize(
    ("name", "results_format"), [("tsv", QueryResultsFormat.TSV), ("xml", QueryResultsFormat.XML)]
)
def test_ask_writes_tsv_and_xml_that_parse(name, results_format, loaded_folder):
    done = cybergov("ask", "treaty-parties", "--format", name, "--store", str(loaded_folder))
    assert done.returncode == 0, done.stderr
    states = {s["state"].value for s in parse_query_results(done.stdout, results_format)}
    assert "https://w3id.org/cybergov/id/state/FR" in states


def test_ask_writes_csv_with_a_header_and_pages(loaded_folder):
    done = cybergov(
        "ask", "treaty-parties", "-f", "csv", "--limit", "3", "--offset", "1",
        "--store", str(loaded_folder),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout.decode())))
    assert rows[0] == ["state", "stateLabel", "code", "councilOfEuropeMember"]
    assert len(rows) == 4
    assert done.stdout.endswith(b"\r\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "no-such-question"], "no question named"),
        (["ask", "incident-responses"], "needs the parameter 'incident'"),
        (["ask", "incidents", "--param", "year=twenty"], "is not an integer"),
        (["ask", "incidents", "--param", "year"], "write it as name=value"),
        (["ask", "incidents", "--param", "colour=red"], "has no parameter 'colour'"),
        (
            ["ask", "treaty-parties", "--store", "/nonexistent/a", "--endpoint", "http://x/"],
            "not both",
        ),
    ],
)
def test_errors_exit_2_and_say_what_is_wrong(args, message):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
        ("DROP ALL", "update"),
        ("SELECT * WHERE { ?s ?p }", "syntax error"),
    ],
)
def test_refused_queries_exit_2_and_say_why(query, message, loaded_folder):
    result = runner.invoke(app, ["sparql", query, "--store", str(loaded_folder)], env=READ_ONLY)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())


def test_sparql_runs_a_query_from_the_argument_a_file_or_standard_input(tmp_path, loaded_folder):
    query = (
        "SELECT ?code WHERE { <https://w3id.org/cybergov/id/state/FR> "
        "<https://w3id.org/cybergov/ontology#iso3166Alpha2> ?code }"
    )
    assert cybergov("sparql", query, "--format", "csv").stdout == b"code\r\nFR\r\n"
    (tmp_path / "q.rq").write_text(query)
    store = ("--store", str(loaded_folder))
    from_file = cybergov("sparql", "--file", str(tmp_path / "q.rq"), "-f", "tsv", *store)
    assert from_file.stdout == b'?code\n"FR"\n'
    from_stdin = cybergov("sparql", "-f", "csv", *store, stdin=query.encode())
    assert from_stdin.stdout == b"code\r\nFR\r\n"


def test_sparql_writes_graphs_in_rdf_formats(loaded_folder):
    query = "CONSTRUCT WHERE { <https://w3id.org/cybergov/id/state/FR> ?p ?o }"
    store = ("--store", str(loaded_folder))
    turtle = cybergov("sparql", query, *store)
    assert turtle.returncode == 0, turtle.stderr
    assert b"@prefix state: <https://w3id.org/cybergov/id/state/> ." in turtle.stdout
    assert len(list(parse(turtle.stdout, RdfFormat.TURTLE))) > 5
    ntriples = cybergov("sparql", query, "--format", "ntriples", *store)
    assert len(list(parse(ntriples.stdout, RdfFormat.N_TRIPLES))) == len(
        list(parse(turtle.stdout, RdfFormat.TURTLE))
    )


def test_a_query_past_its_deadline_exits_2(loaded_folder):
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    result = runner.invoke(
        app, ["sparql", endless, "--timeout", "1", "--store", str(loaded_folder)], env=READ_ONLY
    )
    assert result.exit_code == 2
    assert "ran past its deadline" in result.stderr


def test_reading_an_empty_on_disk_store_says_how_to_fill_it(tmp_path):
    result = runner.invoke(app, ["ask", "treaty-parties", "--store", str(tmp_path / "empty")])
    assert result.exit_code == 2
    assert "cybergov load --store" in " ".join(result.stderr.split())


def test_ask_on_a_loaded_on_disk_store(tmp_path):
    store = str(tmp_path / "store")
    assert runner.invoke(app, ["load", "--store", store]).exit_code == 0
    result = runner.invoke(app, ["ask", "treaty-parties", "--store", store, "-f", "csv"])
    assert result.exit_code == 0 and "state:" not in result.stdout and "FR" in result.stdout


@pytest.mark.server
def test_load_and_ask_with_an_endpoint():
    from tests.servers import OxigraphServer

    with OxigraphServer() as server:
        loaded = runner.invoke(app, ["load", "--endpoint", server.query_endpoint])
        assert loaded.exit_code == 0, loaded.output
        assert "quads in" in loaded.output
        again = runner.invoke(app, ["load", "--endpoint", server.query_endpoint])
        assert "loaded 0 files" in again.output
        asked = runner.invoke(
            app,
            [
                "ask",
                "incident-responses",
                *NOTPETYA,
                "--endpoint",
                server.query_endpoint,
                "-f",
                "csv",
            ],
        )
        assert asked.exit_code == 0, asked.output
        assert "https://w3id.org/cybergov/id/response/gb-statement-2018-02-15" in asked.stdout
