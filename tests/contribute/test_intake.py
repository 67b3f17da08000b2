"""Reading contributions from outside: the four formats, and everything hostile refused."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import RdfFormat
from rdflib.compare import isomorphic

from cybergov.contribute.intake import (
    IntakeLimits,
    contribution_format,
    parse_contribution,
    read_contribution,
)
from cybergov.contribute.jsonld import CONTEXT_IRI, cybergov_context
from cybergov.errors import (
    DataNotFound,
    DocumentTypeRefused,
    EmptyContribution,
    ExternalReferenceRefused,
    InputTooDeep,
    InputTooLarge,
    RdfSyntaxError,
    UnsupportedFormat,
    UnsupportedStatement,
)
from cybergov.settings import Settings

CG = "https://w3id.org/cybergov/ontology#"
STATE = "https://w3id.org/cybergov/id/state/"

TURTLE = b"""@prefix cg: <https://w3id.org/cybergov/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/cybergov/id/incident/example-2024> a cg:Incident ;
    rdfs:label "Example"@en ;
    cg:startDate "2024-01-02"^^xsd:date ;
    cg:targetCountry <https://w3id.org/cybergov/id/state/FR> .
"""
NTRIPLES = b"""<https://w3id.org/cybergov/id/incident/example-2024> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/cybergov/ontology#Incident> .
<https://w3id.org/cybergov/id/incident/example-2024> <http://www.w3.org/2000/01/rdf-schema#label> "Example"@en .
<https://w3id.org/cybergov/id/incident/example-2024> <https://w3id.org/cybergov/ontology#startDate> "2024-01-02"^^<http://www.w3.org/2001/XMLSchema#date> .
<https://w3id.org/cybergov/id/incident/example-2024> <https://w3id.org/cybergov/ontology#targetCountry> <https://w3id.org/cybergov/id/state/FR> .
"""
JSONLD = json.dumps(
    {
        "@context": "https://w3id.org/cybergov/context.jsonld",
        "@id": "incident:example-2024",
        "@type": "cg:Incident",
        "rdfs:label": {"@value": "Example", "@language": "en"},
        "cg:startDate": {"@value": "2024-01-02", "@type": "xsd:date"},
        "cg:targetCountry": {"@id": "state:FR"},
    }
).encode()
RDFXML = b"""<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"
         xmlns:cg="https://w3id.org/cybergov/ontology#">
  <cg:Incident rdf:about="https://w3id.org/cybergov/id/incident/example-2024">
    <rdfs:label xml:lang="en">Example</rdfs:label>
    <cg:startDate rdf:datatype="http://www.w3.org/2001/XMLSchema#date">2024-01-02</cg:startDate>
    <cg:targetCountry rdf:resource="https://w3id.org/cybergov/id/state/FR"/>
  </cg:Incident>
</rdf:RDF>
"""


def parse(data: bytes, format: RdfFormat, **limits: int) -> rdflib.Graph:
    return parse_contribution(data, format=format, source="upload", limits=IntakeLimits(**limits))


# --- formats ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data,format",
    [
        (NTRIPLES, RdfFormat.N_TRIPLES),
        (JSONLD, RdfFormat.JSON_LD),
        (RDFXML, RdfFormat.RDF_XML),
    ],
    ids=["n-triples", "json-ld", "rdf-xml"],
)
def test_the_four_formats_give_the_same_graph(data, format):
    expected = parse(TURTLE, RdfFormat.TURTLE)
    assert len(expected) == 4
    assert isomorphic(parse(data, format), expected)


def test_the_format_comes_from_a_name_a_media_type_or_the_extension():
    assert contribution_format(path="x.ttl") == RdfFormat.TURTLE
    assert contribution_format(path="x.jsonld") == RdfFormat.JSON_LD
    assert contribution_format(path="x.rdf", name="nt") == RdfFormat.N_TRIPLES
    assert contribution_format(media_type="application/rdf+xml") == RdfFormat.RDF_XML
    assert contribution_format(name="json-ld", media_type="text/turtle") == RdfFormat.JSON_LD


@pytest.mark.parametrize("kwargs", [{"path": "x.trig"}, {"name": "nquads"}, {"path": "x.txt"}, {}])
def test_other_formats_are_refused(kwargs):
    with pytest.raises(UnsupportedFormat):
        contribution_format(**kwargs)


def test_plain_strings_are_plain_literals_and_ill_typed_dates_are_kept_for_the_shapes(caplog):
    graph = parse(
        b'<http://a.example/x> <http://a.example/p> "text", "2020-02-30"^^'
        b"<http://www.w3.org/2001/XMLSchema#date> .",
        RdfFormat.TURTLE,
    )
    values = {o for o in graph.objects()}
    assert rdflib.Literal("text") in values  # not "text"^^xsd:string
    dates = [v for v in values if v.datatype is not None]
    assert dates and dates[0].ill_typed
    assert "Failed to convert" not in caplog.text


# --- no network, no files --------------------------------------------------------------


class Canary:
    """An HTTP server on the loopback that counts the requests it receives."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                canary.requests.append(self.path)
                body = json.dumps({"@context": {"name": "http://schema.org/name"}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/ld+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> Canary:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canary() -> Iterator[Canary]:
    with Canary() as running:
        yield running


def test_the_canary_does_hear_a_request(canary):
    """Without this, 'the canary heard nothing' would prove nothing."""
    with urllib.request.urlopen(f"{canary.url}/context.jsonld", timeout=5) as answer:
        assert answer.status == 200
    assert canary.requests == ["/context.jsonld"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_rdflib_alone_would_fetch_a_remote_context(canary):
    """The danger the intake guards against: rdflib's JSON-LD parser fetches contexts."""
    document = json.dumps(
        {"@context": f"{canary.url}/rdflib.jsonld", "@id": "http://a.example/x", "name": "x"}
    )
    rdflib.Graph().parse(data=document, format="json-ld")
    assert canary.requests == ["/rdflib.jsonld"]


@pytest.mark.parametrize(
    "context",
    [
        "{url}/ctx.jsonld",
        ["{url}/ctx.jsonld", {"x": "http://x.example/"}],
        {"@import": "{url}/ctx.jsonld", "x": "http://x.example/"},
        {"t": {"@id": "http://x.example/t", "@context": "{url}/scoped.jsonld"}},
        "file:///etc/passwd",
    ],
    ids=["context", "context-list", "import", "scoped-context", "file"],
)
def test_json_ld_contexts_from_outside_are_refused_and_never_fetched(canary, context):
    text = json.dumps({"@context": context, "@id": "http://a.example/x", "t": {"name": "x"}})
    data = text.replace("{url}", canary.url).encode()
    with pytest.raises(ExternalReferenceRefused, match="never fetches"):
        parse(data, RdfFormat.JSON_LD)
    assert canary.requests == []


def test_a_context_nested_in_a_node_is_refused_too(canary):
    document = {
        "@context": {"p": "http://x.example/p"},
        "@id": "http://a.example/x",
        "p": {"@context": f"{canary.url}/inner.jsonld", "@id": "http://a.example/y"},
    }
    with pytest.raises(ExternalReferenceRefused):
        parse(json.dumps(document).encode(), RdfFormat.JSON_LD)
    assert canary.requests == []


def test_the_bundled_cybergov_context_is_used_without_fetching(canary):
    document = {
        "@context": [CONTEXT_IRI, {"@import": CONTEXT_IRI}],
        "@id": "state:FR",
        "cg:iso3166Alpha2": "FR",
    }
    graph = parse(json.dumps(document).encode(), RdfFormat.JSON_LD)
    assert (
        rdflib.URIRef(STATE + "FR"),
        rdflib.URIRef(CG + "iso3166Alpha2"),
        rdflib.Literal("FR"),
    ) in graph
    assert cybergov_context()["state"] == STATE
    assert canary.requests == []


ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://x.example/">
  <rdf:Description rdf:about="http://a.example/x"><ex:p>&lol9;</ex:p></rdf:Description>
</rdf:RDF>
"""


def test_an_xml_entity_bomb_is_refused_before_parsing():
    with pytest.raises(DocumentTypeRefused) as refused:
        parse(ENTITY_BOMB, RdfFormat.RDF_XML)
    assert (refused.value.line, refused.value.column) == (2, 1)


@pytest.mark.parametrize("keyword", ["DOCTYPE", "doctype", "ENTITY"])
def test_any_markup_declaration_is_refused(keyword):
    data = (
        f'<?xml version="1.0"?>\n<!{keyword} x SYSTEM "file:///etc/passwd">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
    ).encode()
    with pytest.raises(DocumentTypeRefused):
        parse(data, RdfFormat.RDF_XML)


def test_an_external_entity_is_never_fetched(canary):
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY e SYSTEM "{canary.url}/e.xml">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&e;</rdf:RDF>'
    ).encode()
    with pytest.raises(DocumentTypeRefused):
        parse(data, RdfFormat.RDF_XML)
    assert canary.requests == []


# --- sizes -----------------------------------------------------------------------------


def test_a_document_over_the_size_limit_is_refused():
    with pytest.raises(InputTooLarge, match="more than the limit of 100"):
        parse(TURTLE, RdfFormat.TURTLE, max_bytes=100)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    huge = tmp_path / "huge.ttl"
    with huge.open("wb") as handle:  # a sparse file: large on paper, nothing to read
        handle.truncate(50_000_000)
    with pytest.raises(InputTooLarge, match="50,000,000 bytes"):
        read_contribution(huge, limits=IntakeLimits(max_bytes=1_000_000))


def test_a_missing_file_is_named():
    with pytest.raises(DataNotFound, match=r"nowhere\.ttl"):
        read_contribution(Path("nowhere.ttl"))


@pytest.mark.parametrize(
    "data",
    [
        b'<http://a.example/x> <http://a.example/p> "' + b"x" * 2_000 + b'" .',
        b"<http://a.example/" + b"x" * 2_000 + b"> <http://a.example/p> <http://a.example/o> .",
    ],
    ids=["literal", "iri"],
)
def test_a_literal_or_iri_over_the_limit_is_refused(data):
    with pytest.raises(InputTooLarge, match="longer than the limit of 1,000 bytes"):
        parse(data, RdfFormat.N_TRIPLES, max_literal_bytes=1_000)


def test_the_limits_come_from_the_settings():
    limits = IntakeLimits.from_settings(
        Settings(max_contribution_bytes=10, max_literal_bytes=20, max_contribution_depth=3)
    )
    assert limits == IntakeLimits(max_bytes=10, max_literal_bytes=20, max_depth=3)


# --- nesting ---------------------------------------------------------------------------


def nested_turtle(
    depth: int, opening: bytes = b"[ <http://a.example/p> ", closing: bytes = b"]"
) -> bytes:
    return (
        b"<http://a.example/x> <http://a.example/p>\n"
        + opening * depth
        + b'"leaf"'
        + closing * depth
        + b" ."
    )


def test_blank_nodes_nested_within_the_limit_are_read():
    assert len(parse(nested_turtle(10), RdfFormat.TURTLE, max_depth=10)) == 11


@pytest.mark.parametrize(
    "data,format",
    [
        (nested_turtle(100_000), RdfFormat.TURTLE),
        (nested_turtle(100_000, b"(", b")"), RdfFormat.TURTLE),
        (
            b'{"@id": "http://a.example/x", "http://a.example/p": '
            + b"[" * 100_000
            + b"1"
            + b"]" * 100_000
            + b"}",
            RdfFormat.JSON_LD,
        ),
        (
            b'{"@id": "http://a.example/x", "http://a.example/p": '
            + b'{"http://a.example/p": ' * 100_000
            + b"1"
            + b"}" * 100_001,
            RdfFormat.JSON_LD,
        ),
        (
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            b'xmlns:ex="http://x.example/"><rdf:Description rdf:about="http://a.example/x">'
            + b"<ex:p><rdf:Description>" * 100_000
            + b"</rdf:Description></ex:p>" * 100_000
            + b"</rdf:Description></rdf:RDF>",
            RdfFormat.RDF_XML,
        ),
    ],
    ids=["turtle-blank-nodes", "turtle-collections", "json-arrays", "json-objects", "rdf-xml"],
)
def test_deep_nesting_is_refused_cleanly_with_its_place(data, format):
    with pytest.raises(InputTooDeep) as refused:
        parse(data, format, max_depth=64)
    assert refused.value.line is not None and refused.value.column is not None


def test_brackets_inside_strings_and_comments_do_not_count():
    data = (
        b'# [[[[[[[[[[\n<http://a.example/x> <http://a.example/p> "((((((((((" , '
        b'"""[[[[\n[[[[""" , <http://[::1]/x> .'
    )
    assert len(parse(data, RdfFormat.TURTLE, max_depth=2)) == 3


# --- syntax errors and statements a contribution may not hold ---------------------------


@pytest.mark.parametrize(
    "data,format,line,column",
    [
        (
            b"@prefix ex: <http://x.example/> .\nex:a ex:b ex:c .\nex:a ex:b .\n",
            RdfFormat.TURTLE,
            3,
            11,
        ),
        (
            b"<http://a.example/x> <http://a.example/p> <http://a.example/o> .\n"
            b"<http://a.example/x> <http://a.example/p> .\n",
            RdfFormat.N_TRIPLES,
            2,
            43,
        ),
        (
            b'{\n  "@id": "http://a.example/x",\n  "http://a.example/p": [1, 2,]\n}',
            RdfFormat.JSON_LD,
            3,
            31,
        ),
        (
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            b"  <rdf:Description>\n</rdf:RDF>",
            RdfFormat.RDF_XML,
            3,
            3,
        ),
    ],
    ids=["turtle", "n-triples", "json-ld", "rdf-xml"],
)
def test_syntax_errors_name_the_line_and_column(data, format, line, column):
    with pytest.raises(RdfSyntaxError) as error:
        parse(data, format)
    assert (error.value.source, error.value.line, error.value.column) == ("upload", line, column)
    assert f"upload, line {line}, column {column}: " in str(error.value)


def test_bytes_that_are_not_utf8_are_refused_with_their_place():
    with pytest.raises(RdfSyntaxError, match="not UTF-8") as error:
        parse(b'<http://a.example/x>\n <http://a.example/p> "caf\xe9" .', RdfFormat.TURTLE)
    assert (error.value.line, error.value.column) == (2, 27)


def test_xml_in_another_encoding_is_refused():
    data = b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<rdf:RDF/>'
    with pytest.raises(RdfSyntaxError, match="only UTF-8"):
        parse(data, RdfFormat.RDF_XML)


def test_named_graphs_are_refused():
    document = {
        "@id": "http://a.example/g",
        "@graph": [{"@id": "http://a.example/x", "http://a.example/p": "v"}],
    }
    with pytest.raises(UnsupportedStatement, match="named graph"):
        parse(json.dumps(document).encode(), RdfFormat.JSON_LD)


def test_triple_terms_are_refused():
    data = (
        b"<http://a.example/x> <http://a.example/p> <<( <http://a.example/s> "
        b"<http://a.example/p> <http://a.example/o> )>> ."
    )
    with pytest.raises(UnsupportedStatement, match="triple terms"):
        parse(data, RdfFormat.TURTLE)


@pytest.mark.parametrize("data", [b"", b"# only a comment\n", b"@prefix ex: <http://x.example/> ."])
def test_an_empty_contribution_is_refused(data):
    with pytest.raises(EmptyContribution):
        parse(data, RdfFormat.TURTLE)
