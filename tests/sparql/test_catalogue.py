"""The catalogue's headers are strict, and parameters are typed and checked."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

from cybergov.errors import HeaderError, QueryNotFound, QueryParameterError
from cybergov.settings import data_folder
from cybergov.sparql.catalogue import Catalogue, Parameter, read_question

XSD = "http://www.w3.org/2001/XMLSchema#"
GOOD = """#+ summary: A question
#+ description: What it answers.
#+ params:
#+   - {name: state, type: iri, required: true, example: "state:FR"}
#+ tags: [test]
PREFIX cg: <https://w3id.org/cybergov/ontology#>
SELECT ?code WHERE { ?state cg:iso3166Alpha2 ?code }
"""


def write(tmp_path: Path, text: str, name: str = "question.rq") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_catalogue_holds_at_least_twenty_questions_with_complete_headers():
    catalogue = Catalogue.load()
    assert len(catalogue) >= 20
    for question in catalogue:
        assert question.summary and question.description and question.tags
        for parameter in question.params:
            assert parameter.example is not None
            parameter.term(parameter.example)


def test_every_question_file_is_read_strictly():
    for path in sorted((data_folder("queries") / "questions").glob("*.rq")):
        read_question(path)  # raises HeaderError on any fault


def test_a_good_header_reads(tmp_path):
    question = read_question(write(tmp_path, GOOD))
    assert question.name == "question"
    assert question.parameter("state").required


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("#+ summary: A question\n", ""), "lacks summary"),
        (("#+ tags: [test]\n", "#+ tags: [test]\n#+ author: someone\n"), "unknown keys author"),
        (('example: "state:FR"', 'exemple: "state:FR"'), "does not follow the schema"),
        (("type: iri", "type: uri"), "does not follow the schema"),
        (("required: true, ", ""), None),
        (('example: "state:FR"', 'example: "not an iri"'), "not an IRI"),
        (("name: state", "name: country"), "parameter 'country' is not used"),
        (("name: state", "name: on"), "does not follow the schema"),
        (("#+ tags: [test]\n", "#+ tags: [test\n"), "not valid YAML"),
        (("SELECT ?code", "CONSTRUCT { ?state cg:iso3166Alpha2 ?code }"), "must be a SELECT"),
        (("?code }\n", "?code }\nLIMIT 10\n"), "no top-level LIMIT"),
        (
            ("SELECT ?code WHERE", "SELECT ?code WHERE { SERVICE <http://x/> {} }"),
            "cannot be a question",
        ),
        (
            ("required: true, ", 'required: true, default: "state:DE", '),
            "required parameter has no default",
        ),
    ],
)
def test_a_bad_header_fails_and_says_why(tmp_path, change, message):
    old, new = change
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new))
    if message is None:
        read_question(path)  # an optional parameter is fine
        return
    with pytest.raises(HeaderError, match=message):
        read_question(path)


def test_an_enumeration_lists_its_values_and_only_it(tmp_path):
    enumeration = GOOD.replace(
        '{name: state, type: iri, required: true, example: "state:FR"}',
        "{name: state, type: enumeration, example: a}",
    )
    with pytest.raises(HeaderError, match="lists its values"):
        read_question(write(tmp_path, enumeration))
    with pytest.raises(HeaderError, match="only an enumeration has values"):
        read_question(
            write(tmp_path, GOOD.replace('example: "state:FR"', 'example: "state:FR", values: [a]'))
        )


def parameter(kind: str, **extra: object) -> Parameter:
    examples = {"iri": "state:FR", "string": "x", "date": "2020-01-01", "integer": 1}
    return Parameter(name="p", type=kind, example=examples.get(kind, "a"), **extra)  # type: ignore[arg-type]


def test_iris_are_full_or_prefixed_and_nothing_else():
    iri = parameter("iri")
    assert iri.term("state:FR") == NamedNode("https://w3id.org/cybergov/id/state/FR")
    assert iri.term("https://example.org/x") == NamedNode("https://example.org/x")
    for bad in [
        "FR",
        "<https://example.org/x>",
        "_:b0",
        "https://exa mple.org/",
        "state:FR>",
        "",
        "http://x/{a}",
    ]:
        with pytest.raises(QueryParameterError, match="parameter 'p'"):
            iri.term(bad)


def test_dates_integers_strings_and_enumerations_are_checked():
    # A day is bound as midnight xsd:dateTime, the form dates take in the graph.
    assert parameter("date").term("2020-02-29") == Literal(
        "2020-02-29T00:00:00", datatype=NamedNode(XSD + "dateTime")
    )
    assert parameter("date").term(date(2021, 1, 1)).value == "2021-01-01T00:00:00"
    for bad in ["2021-02-29", "2020-1-1", "2020-01-01T00:00:00", "yesterday"]:
        with pytest.raises(QueryParameterError, match="YYYY-MM-DD"):
            parameter("date").term(bad)
    assert parameter("integer").term("-42") == Literal("-42", datatype=NamedNode(XSD + "integer"))
    assert parameter("integer").term(7).value == "7"
    for bad in ["1.5", "1e3", "0x10", "12abc", True]:
        with pytest.raises(QueryParameterError, match="not an integer"):
            parameter("integer").term(bad)
    assert parameter("string").term('a "quoted" text') == Literal('a "quoted" text')
    with pytest.raises(QueryParameterError, match="over 1000 characters"):
        parameter("string").term("x" * 1001)
    enumeration = parameter("enumeration", values=("a", "b"))
    assert enumeration.term("b") == Literal("b")
    with pytest.raises(QueryParameterError, match="not one of a, b"):
        enumeration.term("c")


def test_binding_checks_names_requirements_and_defaults():
    catalogue = Catalogue.load()
    responses = catalogue.get("incident-responses")
    with pytest.raises(QueryParameterError, match="needs the parameter 'incident'"):
        responses.bind({})
    with pytest.raises(QueryParameterError, match="has no parameter 'incidnet'"):
        responses.bind({"incidnet": "incident:notpetya-2017"})
    parties = catalogue.get("treaty-parties")
    assert parties.bind({}) == {
        "treaty": NamedNode("https://w3id.org/cybergov/id/instrument/budapest-convention")
    }


def test_an_unknown_question_is_named_with_a_hint():
    with pytest.raises(QueryNotFound, match="did you mean incidents"):
        Catalogue.load().get("incident")


def test_pages_are_asked_with_integers_only():
    question = Catalogue.load().get("incidents")
    assert question.text(limit=5, offset=10).rstrip().endswith("LIMIT 5\nOFFSET 10")
    with pytest.raises(QueryParameterError):
        question.text(limit=-1)
