"""Hostile inputs for the service, made by Hypothesis: contributions in the four syntaxes,
SPARQL queries and question parameters, each a valid seed mutated the ways an attacker or a
broken client would (bytes inserted, cut or repeated, IRIs of other schemes, nesting, long
values, unknown functions, numbers past every bound).

The fuzz test (``tests/api/test_fuzz.py``, bounded) and the longer run
(``benchmarks/fuzz.py``) send them with :func:`send` to any ``httpx.Client`` (a
``TestClient`` or a client of a real server) and count the statuses: no input may get a 5xx,
but for the one the service means: 503 ``query_timeout``, a query stopped at its deadline
(a mutated query may join everything with everything).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx
from hypothesis import strategies as st
from pyoxigraph import RdfFormat, parse, serialize

from cybergov.sparql.catalogue import Catalogue

#: A contribution that conforms: one incident (no attribution, so that the rules it wakes
#: stay cheap however many mutated copies are accepted).
SEED_TURTLE = """@prefix cg: <https://w3id.org/cybergov/ontology#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix incident: <https://w3id.org/cybergov/id/incident/> .
@prefix incident-type: <https://w3id.org/cybergov/id/incident-type/> .
@prefix sector: <https://w3id.org/cybergov/id/sector/> .
@prefix state: <https://w3id.org/cybergov/id/state/> .

incident:fuzz-seed-2024
    a cg:Incident ;
    rdfs:label "A fuzzed incident (2024)"@en ;
    dct:description "An invented incident that the fuzzer mutates."@en ;
    dct:source <https://example.org/incidents/fuzz-2024> ;
    cg:startDate "2024-01-10T00:00:00"^^xsd:dateTime ;
    cg:incidentType incident-type:espionage ;
    cg:targetCountry state:FR ;
    cg:targetSector sector:energy .
"""

#: The media type of each contribution syntax, and its seed in that syntax.
SYNTAXES: dict[str, tuple[str, RdfFormat]] = {
    "turtle": ("text/turtle", RdfFormat.TURTLE),
    "ntriples": ("application/n-triples", RdfFormat.N_TRIPLES),
    "rdfxml": ("application/rdf+xml", RdfFormat.RDF_XML),
    "jsonld": ("application/ld+json", RdfFormat.JSON_LD),
}


def seed(syntax: str) -> bytes:
    """The seed contribution written in ``syntax``."""
    if syntax == "turtle":
        return SEED_TURTLE.encode()
    triples = [quad.triple for quad in parse(SEED_TURTLE.encode(), RdfFormat.TURTLE)]
    return serialize(triples, format=SYNTAXES[syntax][1])


#: Pieces an attacker splices in: IRIs of other schemes, markup, nesting, escapes, numbers.
PIECES = (
    "<mailto:a@example.org>", "<tag:example.org,2024:x>", "<did:example:1>", "<urn:a>",
    "<javascript:alert(1)>", "<file:///etc/passwd>", "<http://127.0.0.1:1/>", "<>", "<#x>",
    "<relative>", '"@id": "incident:x"', '"@context": "http://127.0.0.1:1/c"',
    '"@context": {"@vocab": "urn:v:"}', "<!DOCTYPE x [<!ENTITY a 'b'>]>", "&a;",
    '<rdf:Description rdf:about="mailto:x">', "[" * 80, "(" * 80, "{" * 80, "]", ")", "}",
    "\\u0000", "\\U0010FFFF", "\x00", "\ufeff", "\u202e", '"""', "'", "^^", "@", "@en-",
    "_:b", "a", ";", ",", ".", "9" * 40, "-0", "1e999", '"2024-02-30"^^xsd:date',
    '"x"^^<urn:t>', "x" * 5000, "é", "\U0001f600",
)  # fmt: skip


#: IRIs put in place of one of the document's: other schemes, relative, malformed, long.
IRIS = (
    "mailto:a@example.org", "tag:example.org,2024:x", "did:example:1", "urn:a", "incident:x",
    "javascript:alert(1)", "file:///etc/passwd", "http://127.0.0.1:1/x", "relative", "",
    "https://w3id.org/cybergov/id/", "https://w3id.org/cybergov/id/state/XX",
    "https://w3id.org/cybergov/ontology#NoSuchClass", "http://a b", "https://x/" + "y" * 3000,
)  # fmt: skip


def _swap_iri(data: bytearray, at: int, iri: str) -> None:
    """Put ``iri`` in place of the first IRI of ``data`` after ``at`` (``<...>``, or an
    ``"...:..."`` JSON-LD or RDF/XML value)."""
    text = data.decode("utf-8", "replace")
    for opening, closing in (("<http", ">"), ('"http', '"')):
        start = text.find(opening, at)
        if start == -1:
            start = text.find(opening)
        if start != -1:
            end = text.find(closing, start + 1)
            if end != -1:
                data[:] = (text[: start + 1] + iri + text[end:]).encode("utf-8")
                return


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` with one to four mutations: an IRI swapped, a piece or random bytes
    inserted, a slice cut, a slice repeated, or a byte replaced."""
    data = bytearray(original)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        kind = draw(st.sampled_from(("iri", "iri", "piece", "bytes", "cut", "repeat", "replace")))
        if kind == "iri":
            _swap_iri(data, at, draw(st.sampled_from(IRIS)))
        elif kind == "piece":
            data[at:at] = draw(st.sampled_from(PIECES)).encode("utf-8", "surrogatepass")
        elif kind == "bytes":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "cut":
            data[at : at + draw(st.integers(min_value=1, max_value=80))] = b""
        elif kind == "repeat":
            data[at:at] = data[at : at + draw(st.integers(min_value=1, max_value=200))] * draw(
                st.integers(min_value=2, max_value=20)
            )
        elif data:
            data[min(at, len(data) - 1)] = draw(st.integers(min_value=0, max_value=255))
    return bytes(data)


@st.composite
def jsonld_documents(draw: st.DrawFn) -> bytes:
    """JSON-LD changed as JSON: ``@id`` and ``@context`` replaced, values nested or retyped."""
    document = json.loads(seed("jsonld"))
    nodes = document if isinstance(document, list) else [document]
    node = nodes[0] if nodes else {}
    node["@id"] = draw(
        st.sampled_from(("incident:x", "mailto:a@b", "_:b", "", "urn:x", "relative"))
        | st.text(max_size=40)
    )
    choice = draw(st.sampled_from(("none", "remote", "inline", "nested", "number")))
    if choice == "remote":
        node["@context"] = "http://127.0.0.1:1/context.jsonld"
    elif choice == "inline":
        node["@context"] = {"@vocab": draw(st.sampled_from(("urn:v:", "", "incident:")))}
    elif choice == "nested":
        node["http://www.w3.org/2000/01/rdf-schema#label"] = [[[{"@value": "x"}]]]
    elif choice == "number":
        node["https://w3id.org/cybergov/ontology#startDate"] = draw(
            st.integers() | st.floats(allow_nan=True)
        )
    return json.dumps(document, allow_nan=True).encode()


def contributions(syntax: str) -> st.SearchStrategy[bytes]:
    """Contributions in ``syntax``: the seed mutated as bytes (and, for JSON-LD, as JSON)."""
    found = mutated(seed(syntax))
    if syntax == "jsonld":
        return found | jsonld_documents()
    return found


#: Queries to mutate: simple, with functions, paths, aggregates and a dataset.
SEED_QUERIES = (
    "SELECT ?s ?label WHERE { ?s a <https://w3id.org/cybergov/ontology#Incident> ; "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 5",
    "ASK { <https://w3id.org/cybergov/id/state/FR> ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3",
    "DESCRIBE <https://w3id.org/cybergov/id/state/FR>",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?c }",
    'SELECT ?x WHERE { BIND(CONCAT("a", STR(NOW())) AS ?x) FILTER(REGEX(?x, "^a")) }',
)
#: Tokens spliced into queries.
QUERY_PIECES = (
    "<urn:f>(1)", "SERVICE <http://127.0.0.1:1/> { ?s ?p ?o }", "LOAD <http://x>",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "FROM <urn:g>", "FROM NAMED <urn:g>",
    "GRAPH ?g {", "{" * 100, "}" * 5, "(" * 100, ")", "OPTIONAL {", "UNION", "MINUS {",
    "FILTER(", "BIND(", "VALUES ?x { 1 }", "OFFSET 99999999999999999999999", "LIMIT -1",
    "ORDER BY", "GROUP BY ?nothing", "HAVING(", "?s", "$s", "<relative>", "BASE <urn:b/>",
    "PREFIX x: <urn:x:>", "x:y", '"""', "'", "\\u0000", "\x00", "# comment\n", "*",
    "REGEX(?x, \"(a+)+$\")", "STRLEN(", "xsd:integer(\"1e999\")", "1e99999", "<<", ">>",
    "SELECT", "WHERE", "a", ".", ";", ",",
)  # fmt: skip


@st.composite
def queries(draw: st.DrawFn) -> str:
    """A seed query with tokens spliced in and slices cut."""
    text = draw(st.sampled_from(SEED_QUERIES))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        if draw(st.booleans()):
            text = text[:at] + " " + draw(st.sampled_from(QUERY_PIECES)) + " " + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(min_value=1, max_value=30)) :]
    return text


#: Values question parameters are given: empty, hostile, of every wrong type.
PARAMETER_VALUES = (
    "", " ", "state:FR", "state:", ":", "incident:notpetya-2017", "https://w3id.org/cybergov/id/",
    "mailto:a@b", "javascript:alert(1)", "<urn:x>", "urn:x", "a b", "2024-02-30", "2024-13-01",
    "-1", "0", "1", "99999999999999999999999", "1e9", "NaN", "true", "x" * 3000, "\x00",
    "%00", "' OR '1'='1", '"} } SELECT * {', "é", "\U0001f600",
)  # fmt: skip


def _questions() -> list[tuple[str, tuple[str, ...]]]:
    return [(q.name, tuple(p.name for p in q.params)) for q in Catalogue.load()]


QUESTIONS = _questions()


@st.composite
def question_requests(draw: st.DrawFn) -> str:
    """The URL of a question with parameters (its own and others) of hostile values."""
    name, params = draw(st.sampled_from(QUESTIONS))
    names = (
        st.sampled_from((*params, "limit", "offset", "format", "unknown", ""))
        if params
        else (st.sampled_from(("limit", "offset", "format", "unknown", "")))
    )
    pairs = draw(
        st.lists(
            st.tuples(names, st.sampled_from(PARAMETER_VALUES) | st.text(max_size=30)),
            max_size=4,
        )
    )
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
    return f"/questions/{name}" + (f"?{query}" if query else "")


@dataclass
class Tally:
    """The statuses each kind of input got, and the inputs that got a 5xx."""

    statuses: dict[str, Counter[str]] = field(default_factory=dict)
    failures: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, kind: str, status: str, shown: str) -> None:
        self.statuses.setdefault(kind, Counter())[status] += 1
        if failed(status):
            self.failures.append((kind, status, shown[:300]))


#: The status of a query stopped at its deadline, told apart from failures.
DEADLINE = "503 query_timeout"


def _request(client: httpx.Client, kind: str, case: bytes | str, token: str) -> httpx.Response:
    if kind in SYNTAXES:
        assert isinstance(case, bytes)
        headers = {"Content-Type": SYNTAXES[kind][0], "Authorization": f"Bearer {token}"}
        return client.post("/contributions", content=case, headers=headers)
    assert isinstance(case, str)
    if kind == "sparql-get":
        return client.get("/sparql", params={"query": case})
    if kind == "sparql-post":
        headers = {"Content-Type": "application/sparql-query", "Accept": "text/csv"}
        return client.post("/sparql", content=case.encode(), headers=headers)
    accept = "text/html" if kind == "question-page" else "application/json"
    return client.get(case, headers={"Accept": accept})


def send(client: httpx.Client, kind: str, case: bytes | str, *, token: str) -> str:
    """Send one input of ``kind`` (a syntax of :data:`SYNTAXES`, ``sparql-get``,
    ``sparql-post``, ``question`` for JSON or ``question-page`` for the form's page); return
    its status (:data:`DEADLINE` for a query
    stopped at its deadline)."""
    response = _request(client, kind, case, token)
    if response.status_code == 503 and b'"query_timeout"' in response.content:
        return DEADLINE
    return str(response.status_code)


def failed(status: str) -> bool:
    """Whether a status of :func:`send` is a failure of the service (a 5xx it does not mean)."""
    return status != DEADLINE and status.startswith("5")


__all__ = [
    "DEADLINE",
    "SYNTAXES",
    "Tally",
    "contributions",
    "failed",
    "queries",
    "question_requests",
    "seed",
    "send",
]
