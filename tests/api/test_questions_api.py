"""``/questions``: every question an operation of the OpenAPI document, answered over HTTP as
the facts of the graph say, in JSON, CSV, TSV and XML, with typed parameters and pages."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import QueryResultsFormat, QuerySolutions, parse_query_results

from cybergov.api import create_app
from cybergov.api.schemas import QuestionAnswer
from cybergov.sparql.catalogue import Catalogue
from cybergov.store import Solutions
from tests.api.conftest import settings
from tests.questions.expectations import check, load_cases

CATALOGUE = Catalogue.load()
ANSWERED = [(name, number, case) for name, number, case in load_cases() if "error" not in case]
REFUSED = [(name, number, case) for name, number, case in load_cases() if "error" in case]


def solutions(content: bytes, results_format: str = "JSON") -> Solutions:
    """An answer read back by pyoxigraph's SPARQL results parser."""
    parsed = parse_query_results(content, getattr(QueryResultsFormat, results_format))
    assert isinstance(parsed, QuerySolutions)
    variables = tuple(v.value for v in parsed.variables)
    rows = tuple(tuple(s[i] for i in range(len(variables))) for s in parsed)
    return Solutions(variables, rows)


@pytest.fixture(scope="module")
def openapi(client) -> dict:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


# --- the OpenAPI document -----------------------------------------------------------------


def test_every_question_is_an_operation_of_its_own(openapi):
    for question in CATALOGUE:
        operation = openapi["paths"][f"/questions/{question.name}"]["get"]
        assert operation["operationId"] == f"ask_{question.name.replace('-', '_')}"
        assert operation["summary"] == question.summary
        assert operation["description"] == question.description
    operations = [op["operationId"] for ops in openapi["paths"].values() for op in ops.values()]
    assert len(operations) == len(set(operations))
    assert not any("head" in ops for ops in openapi["paths"].values())


@pytest.mark.parametrize("question", list(CATALOGUE), ids=lambda q: q.name)
def test_each_parameter_is_typed_and_documented(openapi, question):
    documented = {
        p["name"]: p for p in openapi["paths"][f"/questions/{question.name}"]["get"]["parameters"]
    }
    assert set(documented) == {p.name for p in question.params} | {"limit", "offset", "format"}
    for parameter in question.params:
        entry = documented[parameter.name]
        schema = next(
            s for s in entry["schema"].get("anyOf", [entry["schema"]]) if s.get("type") != "null"
        )
        assert entry["required"] is parameter.required
        assert entry["schema"]["examples"] == [
            parameter.example.isoformat()
            if hasattr(parameter.example, "isoformat")
            else parameter.example
        ]
        if parameter.description:
            assert entry["description"].startswith(parameter.description)
        if parameter.type == "integer":
            assert schema["type"] == "integer"
        elif parameter.type == "enumeration":
            assert schema["enum"] == list(parameter.values)
        else:
            assert schema["type"] == "string"
            if parameter.type in ("iri", "date"):
                assert entry["schema"]["format"] == parameter.type
    assert documented["limit"]["schema"]["anyOf"][0]["maximum"] == 10_000


def test_the_answer_shape_is_documented(openapi):
    operation = openapi["paths"]["/questions/incidents"]["get"]
    content = operation["responses"]["200"]["content"]
    assert {"application/json", "text/csv", "text/tab-separated-values"} <= set(content)
    assert content["application/json"]["schema"]["$ref"].endswith("/QuestionAnswer")
    assert {"rows", "head", "results", "truncated", "page"} <= set(
        openapi["components"]["schemas"]["QuestionAnswer"]["properties"]
    )


# --- answers ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "number", "case"), ANSWERED, ids=lambda v: str(v)[:40])
def test_answers_over_http_hold_the_facts_of_the_graph(client, name, number, case):
    response = client.get(f"/questions/{name}", params=case.get("params") or {})
    assert response.status_code == 200, response.text
    problems = check(solutions(response.content), case)
    assert not problems, f"{name} case {number} ({case['why']}): {problems}"


@pytest.mark.parametrize(("name", "number", "case"), REFUSED, ids=lambda v: str(v)[:40])
def test_bad_parameters_are_422(client, name, number, case):
    response = client.get(f"/questions/{name}", params=case.get("params") or {})
    assert response.status_code == 422, response.text
    assert response.json()["message"]


def test_json_holds_the_sparql_results_and_the_rows(client, runner):
    params = {"state": "state:RU"}
    response = client.get("/questions/incidents-attributed-to-state", params=params)
    body = response.json()
    QuestionAnswer.model_validate(body)
    assert body["parameters"] == {
        "state": "https://w3id.org/cybergov/id/state/RU",
        "chains": "excluded",
    }
    assert response.headers["cybergov-results-truncated"] == "false"
    expected = runner.answer(CATALOGUE.get("incidents-attributed-to-state"), params)
    assert solutions(response.content) == Solutions(expected.variables, expected.rows)
    assert body["count"] == len(body["rows"]) == len(expected.rows)
    first = body["rows"][0]
    assert set(first) == set(expected.variables)
    notpetya = next(r for r in body["rows"] if r["incident"].endswith("/notpetya-2017"))
    assert notpetya["firstAttributed"] == "2018-02-15T00:00:00"  # a date as its text
    assert notpetya["direct"] is True  # a boolean as a boolean


def test_numbers_are_numbers_in_the_rows(client):
    body = client.get("/questions/incidents-by-year").json()
    assert body["rows"] and all(isinstance(row["incidents"], int) for row in body["rows"])


@pytest.mark.parametrize(
    ("how", "media_type"),
    [
        ({"headers": {"Accept": "text/csv"}}, "text/csv"),
        ({"params": {"format": "csv"}}, "text/csv"),
        ({"headers": {"Accept": "text/tab-separated-values"}}, "text/tab-separated-values"),
        ({"params": {"format": "tsv"}}, "text/tab-separated-values"),
        (
            {"headers": {"Accept": "application/sparql-results+xml"}},
            "application/sparql-results+xml",
        ),
        ({"params": {"format": "sparql-json"}}, "application/sparql-results+json"),
    ],
)
def test_answers_by_accept_or_format(client, runner, how, media_type):
    params = {"state": "state:KP", **how.get("params", {})}
    response = client.get(
        "/questions/incidents-attributed-to-state", params=params, headers=how.get("headers", {})
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    expected = runner.answer(CATALOGUE.get("incidents-attributed-to-state"), {"state": "state:KP"})
    if media_type == "text/csv":
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == list(expected.variables)
        assert len(rows) - 1 == len(expected.rows)
        assert any(r[0].endswith("/wannacry-2017") for r in rows[1:])
        return
    name = {"text/tab-separated-values": "TSV", "application/sparql-results+xml": "XML"}
    read = solutions(response.content, name.get(media_type, "JSON"))
    assert set(read.rows) == set(expected.rows)


def test_a_format_not_offered_is_406(client):
    response = client.get("/questions/incidents", headers={"Accept": "image/png"})
    assert response.status_code == 406


@pytest.mark.parametrize(
    ("path", "params", "words"),
    [
        ("attributions", {"status": "bogus"}, ["claimed", "contested", "settled", "retracted"]),
        ("incidents", {"year": "last"}, ["integer", "2017"]),
        ("incidents-attributed-to-state", {}, ["state", "required", "iri"]),
        ("incidents-attributed-to-state", {"state": "Russia"}, ["not an IRI", "state:FR"]),
        ("attributions", {"stat": "settled"}, ["no parameter 'stat'", "status"]),
        ("incidents", {"limit": "-1"}, ["limit", "greater than or equal to 0"]),
        ("incidents", {"limit": "100000"}, ["limit", "less than or equal to 10000"]),
    ],
)
def test_bad_parameters_say_what_was_expected(client, path, params, words):
    response = client.get(f"/questions/{path}", params=params)
    assert response.status_code == 422
    message = response.json()["message"]
    for word in words:
        assert word in message, message


def test_a_parameter_given_twice_is_422(client):
    response = client.get("/questions/attributions", params=[("status", "settled")] * 2)
    assert response.status_code == 422
    assert "twice" in response.json()["message"]


def test_a_date_must_be_a_real_day(client):
    question = next((q for q in CATALOGUE if any(p.type == "date" for p in q.params)), None)
    if question is None:
        pytest.skip("no question takes a date")
    parameter = next(p for p in question.params if p.type == "date")
    params = {p.name: p.example for p in question.params if p.required}
    params[parameter.name] = "2021-02-30"
    response = client.get(f"/questions/{question.name}", params=params)
    assert response.status_code == 422
    assert "YYYY-MM-DD" in response.json()["message"]


def test_pages_follow_each_other(client):
    whole = client.get("/questions/incidents").json()["rows"]
    assert len(whole) > 6
    first = client.get("/questions/incidents", params={"limit": 3}).json()
    assert first["rows"] == whole[:3] and first["page"]["offset"] == 0
    following = urlsplit(first["page"]["next"])
    second = client.get(f"{following.path}?{following.query}").json()
    assert second["rows"] == whole[3:6]
    last = client.get("/questions/incidents", params={"limit": 3, "offset": len(whole) - 2})
    assert last.json()["rows"] == whole[-2:] and last.json()["page"]["next"] is None


def test_an_unknown_question_is_404_with_names_that_come_close(client):
    response = client.get("/questions/incident")
    assert response.status_code == 404
    assert "incidents" in response.json()["message"]


def test_the_catalogue_as_json_and_as_a_page(client):
    body = client.get("/questions").json()
    assert body["count"] == len(CATALOGUE)
    names = [q["name"] for q in body["questions"]]
    assert names == [q.name for q in CATALOGUE]
    entry = next(q for q in body["questions"] if q["name"] == "attributions")
    assert entry["url"] == "http://127.0.0.1:8000/questions/attributions"
    assert client.get(entry["example"]).status_code == 200
    page = client.get("/questions", headers={"Accept": "text/html"})
    assert all(f'id="{q.name}"' in page.text for q in CATALOGUE)


@pytest.fixture(scope="module")
def capped(loaded_store, tmp_path_factory) -> Iterator[TestClient]:
    app = create_app(
        settings(dump_dir=tmp_path_factory.mktemp("dumps"), max_rows=4, query_workers=1),
        store=loaded_store,
    )
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.parametrize("format", ["json", "csv", "tsv", "xml"])
def test_a_cut_answer_says_so(capped, format):
    response = capped.get("/questions/incidents", params={"format": format})
    assert response.headers["cybergov-results-truncated"] == "true"
    if format == "json":
        body = response.json()
        assert body["truncated"] is True and body["count"] == 4
        assert body["page"]["next"].endswith("limit=4&offset=4")


def test_a_full_page_is_not_cut(capped):
    response = capped.get("/questions/incidents", params={"limit": 2})
    body = response.json()
    assert body["truncated"] is False and body["count"] == 2 and body["page"]["next"]
    assert response.headers["cybergov-results-truncated"] == "false"


def test_a_repeated_request_gets_the_kept_answer_with_its_headers(capped):
    """The whole JSON answer is kept for the same URL; other formats are not served it."""
    runner = capped.app.state.service.runner
    url = "/questions/incidents?limit=2&offset=2"
    first = capped.get(url)
    hits = runner.answers.hits
    again = capped.get(url)
    assert runner.answers.hits == hits + 1, "the second request is answered from the cache"
    assert again.content == first.content and again.headers["link"] == first.headers["link"]
    assert again.headers["cybergov-results-truncated"] == "false"
    as_csv = capped.get(url, headers={"Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert len(rows) == 3 and rows[1:] == [
        ["" if value is None else str(value) for value in row.values()]
        for row in first.json()["rows"]
    ]
    other = capped.get("/questions/incidents?limit=2&offset=0").json()
    assert other["rows"] != first.json()["rows"], "another page is another answer"
