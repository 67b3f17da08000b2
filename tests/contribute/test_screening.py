"""Screening of untrusted RDF, before any parser: nesting, XML declarations and encodings,
bytes that are not UTF-8; every refusal names its source, line and column."""

from __future__ import annotations

import pytest

from cybergov.contribute.screening import screen_json, screen_turtle, screen_xml
from cybergov.errors import (
    DocumentTypeRefused,
    InputTooDeep,
    MalformedRequest,
    RdfSyntaxError,
    decode_utf8,
)


def nested_turtle(depth: int) -> str:
    return "<http://ex/s> <http://ex/p> " + "[ <http://ex/p> " * depth + "1" + " ]" * depth + " ."


def test_turtle_nested_up_to_the_limit_passes_and_one_deeper_is_refused_where_it_passes():
    screen_turtle(nested_turtle(4), limit=4, source="a.ttl")
    text = "@prefix ex: <http://ex/> .\n" + nested_turtle(5)
    with pytest.raises(InputTooDeep) as refused:
        screen_turtle(text, limit=4, source="a.ttl")
    error = refused.value
    assert (error.source, error.line) == ("a.ttl", 2)
    assert text.splitlines()[1][error.column - 1] == "[", "the column of the fifth bracket"
    assert "more than 4 deep" in str(error)


def test_brackets_inside_strings_iris_and_comments_do_not_count():
    text = (
        '<http://ex/s> <http://ex/p> "[[[[[[" , """((((\n((((""" , \'[[[[\' . # [[[[[[\n'
        "<http://ex/s> <http://ex/p> <http://ex/[[[[[[> ."
    )
    screen_turtle(text, limit=1, source="a.ttl")


def test_collections_and_triple_terms_nest_too():
    screen_turtle("<http://ex/s> <http://ex/p> ( ( 1 ) ) .", limit=2, source="a.ttl")
    with pytest.raises(InputTooDeep):
        screen_turtle("<http://ex/s> <http://ex/p> ( ( ( 1 ) ) ) .", limit=2, source="a.ttl")
    with pytest.raises(InputTooDeep):
        screen_turtle(
            "<< <http://ex/a> <http://ex/b> << <http://ex/c> <http://ex/d> 1 >> >> <http://ex/p> 1 .",
            limit=1,
            source="a.ttl",
        )


def test_json_nested_past_the_limit_is_refused_strings_aside():
    screen_json('{"@graph": [{"a": "[[[[{{{{"}]}', limit=3, source="a.jsonld")
    with pytest.raises(InputTooDeep) as refused:
        screen_json('{\n  "a": [[{"b": 1}]]\n}', limit=3, source="a.jsonld")
    assert (refused.value.line, refused.value.column) == (2, 10)  # the fourth bracket


RDF = '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">{}</rdf:RDF>'


def test_well_formed_xml_within_the_limit_passes():
    screen_xml('<?xml version="1.0" encoding="UTF-8"?>\n' + RDF.format(""), limit=2, source="a.rdf")


@pytest.mark.parametrize(
    "declaration",
    [
        '<!DOCTYPE rdf:RDF [<!ENTITY a "aaaa">]>',
        '<!doctype rdf:RDF SYSTEM "file:///etc/passwd">',
        '<!ENTITY a "aaaa">',
    ],
)
def test_a_doctype_or_an_entity_is_refused_before_anything_is_expanded(declaration):
    text = f'<?xml version="1.0"?>\n{declaration}\n' + RDF.format("&a;")
    with pytest.raises(DocumentTypeRefused) as refused:
        screen_xml(text, limit=64, source="bomb.rdf")
    assert (refused.value.line, refused.value.column) == (2, 1)


def test_xml_elements_nested_past_the_limit_are_refused():
    with pytest.raises(InputTooDeep, match="more than 3 deep"):
        screen_xml(RDF.format("<a><b><c></c></b></a>"), limit=3, source="a.rdf")


def test_xml_in_another_encoding_or_not_well_formed_is_a_syntax_error():
    with pytest.raises(RdfSyntaxError, match="names the encoding 'ISO-8859-1'"):
        screen_xml(
            '<?xml version="1.0" encoding="ISO-8859-1"?>' + RDF.format(""), limit=8, source="a.rdf"
        )
    with pytest.raises(RdfSyntaxError, match="not well-formed XML") as refused:
        screen_xml(RDF.format("<a>\n</b>"), limit=8, source="a.rdf")
    assert refused.value.line == 2


def test_bytes_that_are_not_utf8_are_refused_at_the_first_bad_byte():
    good = "line one\nline two é".encode()
    assert decode_utf8(b"\xef\xbb\xbf" + good, source="a.ttl", refusal=RdfSyntaxError) == (
        "line one\nline two é"
    ), "a byte-order mark is dropped"
    with pytest.raises(RdfSyntaxError) as refused:
        decode_utf8(good + b"\xff rest", source="a.ttl", refusal=RdfSyntaxError)
    assert (refused.value.source, refused.value.line, refused.value.column) == ("a.ttl", 2, 11)
    with pytest.raises(MalformedRequest, match="the query, line 1, column 1: not UTF-8"):
        decode_utf8(b"\xff", source="the query", refusal=MalformedRequest)
