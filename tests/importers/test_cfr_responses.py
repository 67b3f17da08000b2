"""CFR's ``Response`` column: a response record when the text gives what one needs, else a
note on the incident, reported."""

from __future__ import annotations

from datetime import date

from cybergov.importers.cfr import CfrImporter
from cybergov.importers.cfr_responses import KEPT_AS_NOTE, KINDS, read_response
from cybergov.importers.context import read_context
from cybergov.importers.run import import_graph, run_import
from cybergov.store.embedded import EmbeddedStore
from tests.conftest import FIXTURES

RESPONSES = FIXTURES / "importers" / "cfr-responses.csv"
GRAPH = import_graph("cfr", "responses")
PREFIXES = (
    "PREFIX cg: <https://w3id.org/cybergov/ontology#> "
    "PREFIX id: <https://w3id.org/cybergov/id/> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "PREFIX prov: <http://www.w3.org/ns/prov#> "
    "PREFIX dct: <http://purl.org/dc/terms/> "
)


def test_responses_become_records_or_notes(store: EmbeddedStore) -> None:
    report = run_import(store, CfrImporter(), RESPONSES, name="responses", as_of=date(2025, 6, 1))
    assert report.status == "imported"
    assert report.counts.refused == 0, report.problems
    noted = {p.row: p.problem for p in report.problems if p.field == "Response"}
    assert {p.action for p in report.problems if p.field == "Response"} == {KEPT_AS_NOTE}
    assert "no day" in noted["3"]
    assert "indictment needs the persons" in noted["4"]
    assert "no kind of response" in noted["5"]
    assert "before the operation began" in noted["6"]
    assert set(noted) == {"3", "4", "5", "6"}
    # row 2: a sanction by the United States, the tracker's note, with the URL as its source
    assert store.ask(
        PREFIXES + f"ASK {{ GRAPH <{GRAPH}> {{ ?r a cg:Sanction ; cg:respondent id:state\\/US ; "
        "cg:respondsTo ?incident ; prov:wasAttributedTo id:cso\\/council-on-foreign-relations ; "
        'cg:responseDate "2021-09-15T00:00:00"^^<http://www.w3.org/2001/XMLSchema#dateTime> ; '
        "dct:source <https://example.org/synthetic/response-r1> . "
        "?incident a cg:Incident } }"
    )
    # row 7 matches the curated NotPetya: the response answers the curated incident
    assert store.ask(
        PREFIXES + f"ASK {{ GRAPH <{GRAPH}> {{ ?r a cg:PublicStatement ; "
        "cg:respondent id:state\\/GB ; cg:respondsTo id:incident\\/notpetya-2017 } }"
    )
    # the texts that are no record are notes on their incidents
    assert store.ask(
        PREFIXES + f"ASK {{ GRAPH <{GRAPH}> {{ ?incident skos:note ?note . "
        'FILTER(CONTAINS(STR(?note), "Expulsion of diplomats by Germany")) } }'
    )
    responses = store.select(
        PREFIXES + f"SELECT ?r WHERE {{ GRAPH <{GRAPH}> {{ ?r cg:respondsTo ?i }} }}"
    )
    assert len(responses.rows) == 2


def test_a_response_text_read(loaded_store: EmbeddedStore) -> None:
    context = read_context(loaded_store, as_of=date(2025, 6, 1))
    reading = read_response(
        context,
        "Sanctions on Russian officers by the United States on 2021-09-15: https://x.org/a.",
    )
    assert reading.kind == "Sanction"
    assert reading.responders == ("US",)  # "Russian" is not the responder
    assert reading.day == date(2021, 9, 15)
    assert reading.urls == ("https://x.org/a",)
    assert read_response(context, "Denial").kind is None


def test_every_kind_is_a_response_of_the_ontology(loaded_store: EmbeddedStore) -> None:
    for _, kind in KINDS:
        assert loaded_store.ask(
            "ASK { <https://w3id.org/cybergov/ontology#"
            f"{kind}> <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ "
            "<https://w3id.org/cybergov/ontology#Response> }"
        ), kind
