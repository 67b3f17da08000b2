"""Injection through every parameter of every question: no extra rows, no change, no leak.

A hostile value is either refused as a value of the wrong type (the message
names the parameter and shows no query text), or bound as one RDF term, which
then answers exactly what a harmless value that matches nothing answers.
"""

from __future__ import annotations

import pytest

from cybergov.errors import QueryParameterError
from cybergov.execution import QueryRunner
from cybergov.settings import Settings
from cybergov.sparql.catalogue import Catalogue, Parameter, Question, example_values

CATALOGUE = Catalogue.load()

HOSTILE = {
    "iri": [
        "https://w3id.org/cybergov/id/state/RU> . ?s ?p ?o . <x:y",
        "state:RU } UNION { ?s ?p ?o }",
        "https://example.org/?q='OR'1'='1",
        "https://example.org/a#>}};DROP%20ALL",
        "state:RU\n} ; DROP ALL ; SELECT * WHERE {",
        "<https://w3id.org/cybergov/id/state/RU>",
        "_:anything",
    ],
    "string": [
        '") } UNION { ?s ?p ?o } #',
        '\\") . ?actor ?p ?o . FILTER("" = "',
        "'''\n} UNION { ?actor ?p ?o } #",
        '" ; DROP ALL ; SELECT * WHERE { "',
        "%22) || true || (%22",
    ],
    "date": ['2020-01-01"^^<x:y> } UNION { ?s ?p ?o', "2020-01-01 || true", "1 } #"],
    "integer": ["1 } UNION { ?s ?p ?o }", "1 || true", "0x41", "1; DROP ALL"],
    "enumeration": ['settled" } UNION { ?s ?p ?o } #', "settled || true", "SETTLED"],
}
HARMLESS = {
    "iri": "https://w3id.org/cybergov/id/nothing/such-resource",
    "string": "zz no text matches this zz",
}
CASES = [
    (question, parameter, value)
    for question in CATALOGUE
    for parameter in question.params
    for value in HOSTILE[parameter.type]
]


def ids(case: tuple[Question, Parameter, str]) -> str:
    question, parameter, value = case
    return f"{question.name}.{parameter.name}.{HOSTILE[parameter.type].index(value)}"


def assert_injection_fails(runner, question: Question, parameter: Parameter, value: str) -> None:
    values = example_values(question)
    values[parameter.name] = value
    try:
        answer = runner.answer(question, values)
    except QueryParameterError as error:
        message = str(error)
        assert message.startswith(f"parameter {parameter.name!r}: ")
        assert len(message) < 300 and "PREFIX cg:" not in message and "Traceback" not in message
        return
    values[parameter.name] = HARMLESS[parameter.type]
    harmless = runner.answer(question, values)
    assert answer.rows == harmless.rows, "a hostile value gave other rows than a harmless one"


@pytest.mark.parametrize("case", CASES, ids=[ids(c) for c in CASES])
def test_every_parameter_binds_one_term_on_the_embedded_store(runner, loaded_store, case):
    quads = len(loaded_store)
    assert_injection_fails(runner, *case)
    assert len(loaded_store) == quads


@pytest.mark.server
def test_every_parameter_binds_one_term_on_the_remote_store(remote_store):
    quads = len(remote_store)
    with QueryRunner(remote_store, settings=Settings(query_timeout=20)) as runner:
        for question, parameter, value in CASES:
            assert_injection_fails(runner, question, parameter, value)
    assert len(remote_store) == quads
