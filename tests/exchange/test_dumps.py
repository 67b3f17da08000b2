"""Dumps written once per graph version, agreed on by processes sharing a folder."""

from __future__ import annotations

import gzip
import hashlib
from concurrent.futures import ThreadPoolExecutor

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from cybergov.exchange import DUMP_FORMATS, Dumps, dump_format, graph_version
from cybergov.knowledge.load import set_graph_metadata
from cybergov.namespaces import CG, META_GRAPH, graph_iri
from cybergov.store import EmbeddedStore
from tests.conftest import PREFIXES, ontology_store

WORLD = (
    PREFIXES
    + """
state:XA a cg:State ; rdfs:label "Exampleland"@en ; cg:iso3166Alpha2 "XA" .
state:XB a cg:State ; rdfs:label "Testonia"@en ; cg:iso3166Alpha2 "XB" .
"""
)
NQUADS = next(f for f in DUMP_FORMATS if f.key == "nquads")
NTRIPLES = next(f for f in DUMP_FORMATS if f.key == "ntriples")


def test_the_files_match_their_recorded_size_and_checksum(tmp_path):
    store = ontology_store(WORLD)
    dump = Dumps(store, tmp_path).get(NQUADS)
    plain = dump.plain.path.read_bytes()
    packed = dump.gzip.path.read_bytes()
    assert (len(plain), hashlib.sha256(plain).hexdigest()) == (dump.plain.size, dump.plain.sha256)
    assert (len(packed), hashlib.sha256(packed).hexdigest()) == (dump.gzip.size, dump.gzip.sha256)
    assert gzip.decompress(packed) == plain
    quads = list(parse(plain, format=RdfFormat.N_QUADS))
    assert len(quads) == dump.statements == len(store)


def test_a_triple_in_two_graphs_is_written_once_in_a_graph_format(tmp_path):
    store = ontology_store(WORLD, WORLD)  # the same facts in two named graphs
    dump = Dumps(store, tmp_path).get(NTRIPLES)
    lines = dump.plain.path.read_bytes().splitlines()
    assert len(lines) == len(set(lines)) == dump.statements
    label = b'<https://w3id.org/cybergov/id/state/XA> <http://www.w3.org/2000/01/rdf-schema#label> "Exampleland"@en .'
    assert lines.count(label) == 1
    assert dump.statements < len(store)


def test_processes_sharing_a_folder_serve_the_same_bytes(tmp_path):
    # Two stores with the same data, as two workers hold; their metadata differs in time.
    first, second = ontology_store(WORLD), ontology_store(WORLD)
    set_graph_metadata(first, graph_iri("kg", "fixture-0"), [(str(CG.sha256), '"same"')])
    set_graph_metadata(second, graph_iri("kg", "fixture-0"), [(str(CG.sha256), '"same"')])
    second.oxigraph.add(
        Quad(NamedNode(graph_iri("kg", "fixture-0")), NamedNode(str(CG.sourceFile)),
             Literal("written later"), NamedNode(META_GRAPH))
    )  # fmt: skip
    assert graph_version(first) == graph_version(second)
    with ThreadPoolExecutor(4) as pool:
        dumps = list(
            pool.map(lambda s: Dumps(s, tmp_path).get(NQUADS), [first, second, first, second])
        )
    assert len({d.plain.sha256 for d in dumps}) == 1
    assert len({d.plain.path for d in dumps}) == 1


def test_a_new_version_gets_new_files(tmp_path):
    store = ontology_store(WORLD)
    dumps = Dumps(store, tmp_path)
    before = dumps.get(NQUADS)
    store.replace_graph(
        graph_iri("contribution", "c1"),
        b'<https://w3id.org/cybergov/id/state/XC> <http://www.w3.org/2000/01/rdf-schema#label> "Newland"@en .',
        format=RdfFormat.N_TRIPLES,
        source="a contribution",
    )
    after = dumps.get(NQUADS)
    assert after.version != before.version
    assert after.statements == before.statements + 1
    assert b"Newland" in after.plain.path.read_bytes()


def test_dump_names():
    assert dump_format("cybergov.ttl.gz") == (
        next(f for f in DUMP_FORMATS if f.key == "turtle"),
        True,
    )
    assert dump_format("cybergov.jsonld")[1] is False


def test_an_empty_store_dumps_to_an_empty_file(tmp_path):
    dump = Dumps(EmbeddedStore(), tmp_path).get(NQUADS)
    assert dump.plain.size == 0 and dump.statements == 0


def test_files_removed_from_the_folder_are_written_again(tmp_path):
    store = ontology_store(WORLD)
    dumps = Dumps(store, tmp_path)
    first = dumps.get(NQUADS)
    first.plain.path.unlink()  # a temporary-file cleaner passed by
    again = dumps.get(NQUADS)
    assert again.plain.path.is_file()
    assert again.plain.sha256 == first.plain.sha256
