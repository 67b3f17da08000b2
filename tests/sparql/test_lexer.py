"""The SPARQL lexer: whole strings, IRIs, comments and names as tokens, the query's form,
its WHERE group, and parameters bound as VALUES written by pyoxigraph."""

from __future__ import annotations

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store

from cybergov.errors import QueryParameterError, QuerySyntaxError
from cybergov.sparql.lexer import (
    bind_values,
    position,
    query_form,
    tokens,
    top_level,
    values_block,
    where_group,
)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(token.kind, token.text) for token in tokens(text)]


def test_strings_iris_and_comments_are_whole_tokens():
    text = (
        'SELECT ?s WHERE { ?s <http://ex/DELETE#SERVICE> "x } DELETE { " ; '
        "<http://ex/p> '''long\n'' } string''' } # SERVICE { in a comment"
    )
    found = kinds(text)
    assert ("iri", "<http://ex/DELETE#SERVICE>") in found
    assert ("string2", '"x } DELETE { "') in found
    assert ("long1", "'''long\n'' } string'''") in found
    assert not any("in a comment" in text for _, text in found), "comments are left out"
    names = [text for kind, text in found if kind == "name"]
    assert names == ["SELECT", "WHERE"], "no keyword is found inside a string or an IRI"


def test_prefixed_names_variables_and_literals_keep_their_kind():
    found = kinds('?x cg:startDate $y ; rdfs:label "a"@en-GB , 12.5e3 , _:b1 . ex:a\\.b')
    assert found == [
        ("var", "?x"),
        ("pname", "cg:startDate"),
        ("var", "$y"),
        ("punct", ";"),
        ("pname", "rdfs:label"),
        ("string2", '"a"'),
        ("langtag", "@en-GB"),
        ("punct", ","),
        ("number", "12.5e3"),
        ("punct", ","),
        ("bnode", "_:b1"),
        ("punct", "."),
        ("pname", "ex:a\\.b"),
    ]


def test_offsets_point_into_the_text_and_positions_count_from_one():
    text = "SELECT *\nWHERE {\n  ?s ?p ?o }"
    subject = next(t for t in tokens(text) if t.text == "?s")
    assert text[subject.offset : subject.offset + 2] == "?s"
    assert position(text, subject.offset) == "line 3, column 3"
    assert position(text, 0) == "line 1, column 1"


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("PREFIX a: <http://a/> BASE <http://b/>\nask { ?s ?p ?o }", "ASK"),
        ("# a comment\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://a/>", "DESCRIBE"),
        ("INSERT DATA { <http://a/> <http://b/> 1 }", None),
        ('PREFIX a: <http://a/> "SELECT"', None),
        ("", None),
    ],
)
def test_the_form_of_a_query(text, form):
    assert query_form(text) == form


def test_depth_is_counted_outside_strings():
    text = 'SELECT * WHERE { ?s ?p "{{" . { ?s ?q ?o } }'
    depths = {token.text: depth for depth, token in top_level(text) if token.kind == "var"}
    assert depths == {"?s": 2, "?p": 1, "?q": 2, "?o": 2}


def test_the_where_group_is_found_after_a_construct_template():
    text = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert text[where_group(text) :].startswith(" ?s ?p ?o }")
    select = "SELECT ?s { ?s ?p ?o }"
    assert select[where_group(select) - 1] == "{"
    with pytest.raises(QuerySyntaxError, match="no WHERE group"):
        where_group("DESCRIBE <http://a/>")


def test_values_are_written_by_pyoxigraph_and_bound_first_in_the_where_group():
    hostile = Literal('x" } } ; DROP ALL ; SELECT * { "')
    block = values_block({"b": NamedNode("http://ex/b"), "a": hostile})
    assert block == f"VALUES ?a {{ {hostile} }} VALUES ?b {{ <http://ex/b> }}"
    query = "SELECT ?a ?b WHERE { OPTIONAL { ?a ?p ?b } }"
    bound = bind_values(query, {"a": hostile, "b": NamedNode("http://ex/b")})
    assert bound.startswith("SELECT ?a ?b WHERE { VALUES ?a {")
    store = Store()
    rows = list(store.query(bound))
    assert [(row["a"], row["b"]) for row in rows] == [(hostile, NamedNode("http://ex/b"))]
    assert bind_values(query, {}) == query


def test_a_parameter_is_bound_in_every_subquery_that_uses_it():
    query = (
        "SELECT ?x ?n WHERE { ?x <http://ex/p> ?y . "
        "{ SELECT ?x (COUNT(?z) AS ?n) WHERE { ?x <http://ex/q> ?z FILTER(?z != ?y) } GROUP BY ?x } "
        "{ SELECT ?x WHERE { ?x <http://ex/r> ?w } } }"
    )
    bound = bind_values(query, {"y": NamedNode("http://ex/y")})
    # the outer group and the first subquery, which uses ?y; not the second, which does not
    assert bound.count("VALUES ?y { <http://ex/y> }") == 2
    first = bound.index("SELECT ?x (COUNT")
    assert bound.index("VALUES ?y", first) < bound.index("?x <http://ex/q>")
    store = Store()
    for s, o in (("a", "y"), ("b", "other")):
        store.add(
            Quad(NamedNode(f"http://ex/{s}"), NamedNode("http://ex/p"), NamedNode(f"http://ex/{o}"))
        )
        store.add(
            Quad(NamedNode(f"http://ex/{s}"), NamedNode("http://ex/r"), NamedNode("http://ex/w"))
        )
    for z in ("y", "z1", "z2"):
        store.add(
            Quad(NamedNode("http://ex/a"), NamedNode("http://ex/q"), NamedNode(f"http://ex/{z}"))
        )
    # inside the subquery, ?y is the parameter: the filter leaves out the one equal to it
    rows = [(row["x"].value, row["n"].value) for row in store.query(bound)]
    assert rows == [("http://ex/a", "2")]


def test_what_values_cannot_carry_is_refused():
    with pytest.raises(QueryParameterError, match="blank node"):
        values_block({"a": BlankNode()})
    with pytest.raises(QueryParameterError, match="not a variable name"):
        values_block({"a b": NamedNode("http://ex/a")})
