"""Loading: one named graph per file, idempotent, incremental, loud on bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cybergov.errors import RdfSyntaxError
from cybergov.knowledge.load import curated_sources, load, stored_checksums
from cybergov.namespaces import META_GRAPH, graph_iri
from cybergov.settings import data_root
from cybergov.store import EmbeddedStore, Solutions

MINIMAL_KG = """
@prefix cg: <https://w3id.org/cybergov/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/cybergov/id/state/XA> a cg:State ; rdfs:label "Exampleland"@en ; cg:iso3166Alpha2 "XA" .
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the data folders with a two-file knowledge graph."""
    for folder in ("ontology", "queries", "shapes"):
        shutil.copytree(data_root() / folder, tmp_path / folder)
    (tmp_path / "kg").mkdir()
    (tmp_path / "kg" / "alpha.ttl").write_text(MINIMAL_KG)
    (tmp_path / "kg" / "beta.ttl").write_text(
        MINIMAL_KG.replace("XA", "XB").replace("Exampleland", "Testonia")
    )
    return tmp_path


def test_each_file_is_its_own_named_graph_with_its_checksum(root):
    store = EmbeddedStore()
    report = load(store, root=root)
    assert set(report.loaded) >= {"kg/alpha.ttl", "kg/beta.ttl", "ontology/cybergov.ttl"}
    graphs = store.named_graphs()
    assert graph_iri("kg", "alpha") in graphs and graph_iri("ontology", "actors") in graphs
    assert store.graph_size(graph_iri("kg", "alpha")) == 3
    checksums = stored_checksums(store)
    assert len(checksums[graph_iri("kg", "alpha")]) == 64
    assert any(g.startswith(graph_iri("inferred", "")) for g in graphs)


def test_a_second_load_changes_nothing(root):
    store = EmbeddedStore()
    load(store, root=root)
    quads = len(store)
    again = load(store, root=root)
    assert again.loaded == [] and again.removed == []
    assert again.inference is None
    assert len(again.unchanged) == len(curated_sources(root))
    assert len(store) == quads


def test_only_a_changed_file_is_reloaded_and_inference_reruns(root):
    store = EmbeddedStore()
    load(store, root=root)
    (root / "kg" / "beta.ttl").write_text(
        MINIMAL_KG.replace("XA", "XC").replace("Exampleland", "Samplestan")
    )
    report = load(store, root=root)
    assert report.loaded == ["kg/beta.ttl"]
    assert report.inference is not None
    answer = store.select(
        "SELECT ?s WHERE { GRAPH ?g { ?s a <https://w3id.org/cybergov/ontology#State> } }"
    )
    names = {row[0].value.rsplit("/", 1)[1] for row in answer.rows}
    assert names == {"XA", "XC"}


def test_a_removed_file_drops_its_graph_and_metadata(root):
    store = EmbeddedStore()
    load(store, root=root)
    (root / "kg" / "beta.ttl").unlink()
    report = load(store, root=root)
    assert report.removed == [graph_iri("kg", "beta")]
    assert graph_iri("kg", "beta") not in store.named_graphs()
    assert graph_iri("kg", "beta") not in stored_checksums(store)


def test_a_syntax_error_names_the_file_and_line_and_keeps_the_old_graph(root):
    store = EmbeddedStore()
    load(store, root=root)
    (root / "kg" / "alpha.ttl").write_text(
        MINIMAL_KG + '\n<https://w3id.org/cybergov/id/state/XA> rdfs:label "broken .\n'
    )
    with pytest.raises(RdfSyntaxError) as caught:
        load(store, root=root)
    assert "alpha.ttl" in str(caught.value) and caught.value.line is not None
    assert store.graph_size(graph_iri("kg", "alpha")) == 3


def test_an_on_disk_store_survives_reopening(root, tmp_path):
    path = tmp_path / "store"
    first = EmbeddedStore(path)
    load(first, root=root)
    quads = len(first)
    first.close()
    del first
    second = EmbeddedStore(path)
    assert len(second) == quads
    assert load(second, root=root).loaded == []


def test_the_metadata_graph_describes_every_curated_graph(loaded_store):
    answer = loaded_store.query(
        f"SELECT ?g ?file WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <https://w3id.org/cybergov/ontology#sourceFile> ?file }} }}"
    )
    assert isinstance(answer, Solutions)
    files = {row[1].value for row in answer.rows}
    expected = {s.relative for s in curated_sources()}
    assert expected <= files
