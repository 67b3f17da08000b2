"""Screening of SPARQL text from outside: what is refused, what is let through, and why."""

from __future__ import annotations

import pytest
from rdflib.plugins.sparql.parser import parseQuery

from cybergov.errors import QueryRefused
from cybergov.sparql.guard import QueryLimits, refuse_unknown_graphs, screen

LIMITS = QueryLimits(max_bytes=100_000, max_depth=64, max_chain=2_000)


def nested(depth: int) -> str:
    return "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth


def test_a_query_nested_5000_deep_is_refused_with_its_position():
    with pytest.raises(QueryRefused, match=r"deeper than 64 levels .* line 1, column 80"):
        screen(nested(5000), LIMITS)


def test_nesting_of_every_bracket_and_of_unary_operators_counts():
    with pytest.raises(QueryRefused, match="deeper"):
        screen("SELECT * WHERE { FILTER(" + "(" * 70 + "true" + ")" * 70 + ") }", LIMITS)
    with pytest.raises(QueryRefused, match="deeper"):
        screen("SELECT * WHERE { ?s ?p " + "[ ?p " * 70 + "?o" + " ]" * 70 + " }", LIMITS)
    with pytest.raises(QueryRefused, match="deeper"):
        screen("SELECT * WHERE { FILTER(" + "!" * 20_000 + "true) }", LIMITS)


def test_long_chains_of_operands_are_refused():
    unions = " UNION ".join(["{ ?s ?p ?o }"] * 3_000)
    with pytest.raises(QueryRefused, match="chains more than 2000 operands"):
        screen(f"SELECT * WHERE {{ {unions} }}", LIMITS)
    ors = " || ".join(["?o"] * 3_000)
    with pytest.raises(QueryRefused, match="chains"):
        screen(f"SELECT * WHERE {{ ?s ?p ?o FILTER({ors}) }}", LIMITS)


def test_the_chain_is_summed_along_nested_groups():
    unions = " UNION ".join(["{ ?s ?p ?o }"] * 1_500)
    ors = " || ".join(["?o"] * 600)
    nested_chain = f"SELECT * WHERE {{ {unions} UNION {{ ?s ?p ?o FILTER({ors}) }} }}"
    with pytest.raises(QueryRefused, match="chains"):
        screen(nested_chain, LIMITS)
    screen(f"SELECT * WHERE {{ {unions} }}", LIMITS)  # either chain alone is within bounds


def test_a_query_over_the_size_limit_is_refused():
    text = "SELECT * WHERE { ?s ?p " + '"' + "x" * 200 + '" }'
    with pytest.raises(QueryRefused, match="bytes long; the limit is 100 bytes"):
        screen(text, QueryLimits(max_bytes=100))


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <http://a>",
        "WITH <http://a> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "PREFIX ex: <http://a/> COPY ex:a TO ex:b",
        "SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <http://a> <http://b> <http://c> }",
    ],
)
def test_updates_are_refused_on_the_read_path(update):
    with pytest.raises(QueryRefused, match="update; only queries"):
        screen(update, LIMITS)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?x ?y ?z . SeRvIcE ?endpoint { ?s ?p ?o } }",
        "SELECT * WHERE { #\n SERVICE <http://x/> { ?s ?p ?o } }",
    ],
)
def test_service_is_refused(query):
    with pytest.raises(QueryRefused, match=r"SERVICE .* refused"):
        screen(query, LIMITS)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://x/> { ?a ?b ?c }" }',
        "SELECT * WHERE { ?s ?p '''INSERT DATA { <a> <b> <c> }''' }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> and LOAD <http://x/>",
        "SELECT * WHERE { ?s <http://example.org/service/load#INSERT> ?o }",
        "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:SERVICE ?load . ?load ex:DROP ?x }",
        'SELECT * WHERE { ?s ?p "\\" SERVICE <http://x/> { }" }',
        "SELECT ?service ?load WHERE { ?service ?load ?insert }",
    ],
)
def test_keywords_inside_strings_iris_comments_and_names_are_not_keywords(query):
    screened = screen(query, LIMITS)
    assert screened.form == "SELECT"
    tree = parseQuery(query)  # rdflib's parser reads the same query without a SERVICE
    assert "ServiceGraphPattern" not in repr(tree)


def test_the_form_and_dataset_are_read_with_prefixes_and_base():
    screened = screen(
        "BASE <https://w3id.org/cybergov/graph/> PREFIX g: <https://w3id.org/cybergov/graph/kg/>\n"
        "SELECT ?s FROM g:positions FROM <kg/states> FROM NAMED <meta> WHERE { ?s ?p ?o }",
        LIMITS,
    )
    assert screened.form == "SELECT"
    assert screened.default_graphs == (
        "https://w3id.org/cybergov/graph/kg/positions",
        "https://w3id.org/cybergov/graph/kg/states",
    )
    assert screened.named_graphs == ("https://w3id.org/cybergov/graph/meta",)
    for form in ("ASK { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }", "DESCRIBE <http://a>"):
        assert screen(form, LIMITS).form == form.split()[0]


def test_dataset_iris_must_be_graphs_of_the_store():
    screened = screen("SELECT * FROM <http://127.0.0.1:9/evil.ttl> WHERE { ?s ?p ?o }", LIMITS)
    with pytest.raises(QueryRefused, match="which the store does not hold"):
        refuse_unknown_graphs(screened, ["https://w3id.org/cybergov/graph/kg/states"])
    held = screen("SELECT * FROM <http://a/g> WHERE { ?s ?p ?o }", LIMITS)
    refuse_unknown_graphs(held, ["http://a/g"])


def test_text_that_is_no_query_is_refused():
    with pytest.raises(QueryRefused, match="not a SPARQL query"):
        screen("hello world", LIMITS)
    with pytest.raises(QueryRefused, match="not a SPARQL query"):
        screen("", LIMITS)


def test_a_reasonable_query_passes_with_its_measures():
    screened = screen("SELECT * WHERE { { ?s ?p ?o } UNION { ?s ?p ?o FILTER(?o > 1) } }", LIMITS)
    assert screened.depth == 3
    assert 2 <= screened.chain <= 4
