"""The SPARQL 1.1 Service Description of the query endpoint.

What the endpoint answers (SPARQL 1.1 Query, no update), in which formats, the
dataset it serves (the VoID dataset, whose default graph is the union of its
named graphs, each named graph with its size) and where the dataset is
described at length (``/void``).
"""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from cybergov.exchange.void import DATASET_IRI, DatasetDescription
from cybergov.namespaces import VOCABULARY_PREFIXES

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
_RDF = VOCABULARY_PREFIXES["rdf"]
_RDFS = VOCABULARY_PREFIXES["rdfs"]
_DCT = VOCABULARY_PREFIXES["dct"]
_XSD = VOCABULARY_PREFIXES["xsd"]
_VOID = VOCABULARY_PREFIXES["void"]

#: The result formats the endpoint writes, as the W3C names them.
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)


def service_description_triples(
    description: DatasetDescription, *, endpoint: str, void: str, base_iri: str
) -> list[Triple]:
    """The service description of the endpoint at ``endpoint``, pointing to ``void``, whose
    queries resolve relative IRIs against ``base_iri``.

    The description's subject is the endpoint's own URL, as the SPARQL 1.1
    Service Description recommends for a description served by the endpoint.
    """
    service = NamedNode(endpoint)
    dataset = NamedNode(DATASET_IRI)
    default_graph = BlankNode("defaultGraph")
    out: list[Triple] = []

    def add(
        subject: NamedNode | BlankNode, predicate: str, obj: NamedNode | BlankNode | Literal
    ) -> None:
        out.append(Triple(subject, NamedNode(predicate), obj))

    add(service, f"{_RDF}type", NamedNode(f"{SD}Service"))
    add(service, f"{SD}endpoint", service)
    add(service, f"{SD}supportedLanguage", NamedNode(f"{SD}SPARQL11Query"))
    add(service, f"{SD}feature", NamedNode(f"{SD}UnionDefaultGraph"))
    for name in RESULT_FORMATS:
        add(service, f"{SD}resultFormat", NamedNode(f"{FORMATS}{name}"))
    add(
        service, f"{SD}defaultEntailmentRegime", NamedNode("http://www.w3.org/ns/entailment/Simple")
    )
    add(service, f"{_DCT}title", Literal("The SPARQL endpoint of cybergov", language="en"))
    add(
        service,
        f"{_RDFS}comment",
        Literal(
            "Read-only: queries only (updates, LOAD and SERVICE are refused); the default graph "
            "is the union of the named graphs, which hold the ontology, the curated graph, "
            "the facts derived by rules and accepted contributions; FROM, FROM NAMED and the "
            "protocol's default-graph-uri and named-graph-uri may name only these graphs. "
            "Queries run under a deadline and a cap on rows (a cut answer says so in the "
            f"Cybergov-Results-Truncated header). The base IRI of queries is <{base_iri}>: "
            "relative IRIs in a query without a BASE of its own resolve against it.",
            language="en",
        ),
    )
    add(service, f"{SD}defaultDataset", dataset)
    add(service, f"{_RDFS}seeAlso", NamedNode(void))
    add(dataset, f"{_RDF}type", NamedNode(f"{SD}Dataset"))
    add(dataset, f"{_RDF}type", NamedNode(f"{_VOID}Dataset"))
    add(dataset, f"{_RDFS}seeAlso", NamedNode(void))
    add(dataset, f"{SD}defaultGraph", default_graph)
    add(default_graph, f"{_RDF}type", NamedNode(f"{SD}Graph"))
    add(default_graph, f"{_VOID}triples", _integer(description.triples))
    out += _named_graphs(dataset, description)
    return out


def _integer(value: int) -> Literal:
    return Literal(str(value), datatype=NamedNode(f"{_XSD}integer"))


def _named_graphs(dataset: NamedNode, description: DatasetDescription) -> Iterable[Triple]:
    for number, graph in enumerate(description.graphs):
        entry = BlankNode(f"namedGraph{number}")
        content = BlankNode(f"graph{number}")
        yield Triple(dataset, NamedNode(f"{SD}namedGraph"), entry)
        yield Triple(entry, NamedNode(f"{_RDF}type"), NamedNode(f"{SD}NamedGraph"))
        yield Triple(entry, NamedNode(f"{SD}name"), NamedNode(graph.iri))
        yield Triple(entry, NamedNode(f"{SD}graph"), content)
        yield Triple(content, NamedNode(f"{_RDF}type"), NamedNode(f"{SD}Graph"))
        yield Triple(content, NamedNode(f"{_VOID}triples"), _integer(graph.triples))


__all__ = ["RESULT_FORMATS", "SD", "service_description_triples"]
