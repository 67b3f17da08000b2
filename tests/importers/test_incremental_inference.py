"""The inferences an import brings, worked out from those of the store on parts of it near the
new statements, against a full re-materialisation that evaluates every rule on everything
each round: the same facts in the same graphs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from benchmarks.imports import write_synthetic_cfr
from pyoxigraph import Literal, NamedNode, Quad, Triple

from cybergov.contribute.staging import scratch_copy, stage_new_graph
from cybergov.importers.model import Importer
from cybergov.importers.run import run_import
from cybergov.importers.sources import importer_for
from cybergov.knowledge.increment import _Readable, materialise_change, metadata_but_inferred
from cybergov.knowledge.load import refresh_inferences
from cybergov.knowledge.rules import NEIGHBOURHOOD_LIMIT, materialise, read_rules
from cybergov.namespaces import INFERRED_GRAPH_PREFIX, META_GRAPH
from cybergov.store.batch import GraphBatch
from cybergov.store.embedded import EmbeddedStore
from cybergov.store.factory import memory_store
from tests.conftest import FIXTURES
from tests.importers.conftest import CFR_FIXTURE, shared_data


def _key(triple: Triple) -> tuple[str, str, str]:
    """A derived statement, its text taken as the letters it holds: the derivation rules
    list names with ``GROUP_CONCAT``, whose order is the order the store happens to hold
    them in, which differs between a store and its copy."""
    value = triple.object
    text = "".join(sorted(value.value)) if isinstance(value, Literal) else str(value)
    return (str(triple.subject), str(triple.predicate), text)


def _inferred(store: EmbeddedStore) -> dict[str, set[tuple[str, str, str]]]:
    return {
        graph: {_key(t) for t in store.graph_triples(graph)}
        for graph in store.named_graphs()
        if graph.startswith(INFERRED_GRAPH_PREFIX)
    }


def _full(store: EmbeddedStore) -> dict[str, set[tuple[str, str, str]]]:
    """Every inferred graph of ``store`` worked out again from nothing, naively (the
    inferred graphs and their descriptions dropped first, as a refresh does)."""
    copy = scratch_copy(store)
    for graph in list(copy.named_graphs()):
        if graph.startswith(INFERRED_GRAPH_PREFIX):
            copy.drop_graph(graph)
            copy.update(
                f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }}",
                graphs=(META_GRAPH,),
            )
    materialise(copy, read_rules(), semi_naive=False)
    return _inferred(copy)


def _same_as_full(store: EmbeddedStore, importer: Importer, path: Path) -> None:
    report = run_import(store, importer, path, name="incremental")
    assert report.status == "imported"
    assert report.derived_added > 0
    assert _inferred(store) == _full(store)


def test_the_cfr_fixture_derives_what_a_full_materialisation_derives(
    store: EmbeddedStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cybergov.knowledge")
    _same_as_full(store, importer_for("cfr"), CFR_FIXTURE)
    # worked out from the store's inferences, not from nothing
    assert any("from those of the store" in r.getMessage() for r in caplog.records)


@pytest.mark.slow
def test_a_large_import_derives_what_a_full_materialisation_derives(
    store: EmbeddedStore, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """1,500 synthetic rows: more new statements than the semi-naive evaluation of a full
    materialisation takes a neighbourhood of (each closure round starts from thousands)."""
    export = tmp_path / "cfr-1500.csv"
    write_synthetic_cfr(export, 1500)
    caplog.set_level(logging.INFO, logger="cybergov.knowledge")
    report = run_import(store, importer_for("cfr"), export, name="incremental")
    assert report.counts.triples > 10 * NEIGHBOURHOOD_LIMIT
    assert any("from those of the store" in r.getMessage() for r in caplog.records)
    assert _inferred(store) == _full(store)


@pytest.mark.parametrize(
    ("subject", "predicate", "value"),
    [
        # a subclass axiom reaches every instance of the class, far from the new statement
        (
            "https://example.org/Kind",
            "http://www.w3.org/2000/01/rdf-schema#subClassOf",
            NamedNode("https://w3id.org/cybergov/ontology#Incident"),
        ),
        # an end date of a resource the store holds can take a shortcut away
        (
            "https://w3id.org/cybergov/id/state/RU",
            "https://w3id.org/cybergov/ontology#endDate",
            Literal("2020-01-01", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#date")),
        ),
    ],
)
def test_a_change_that_reaches_far_is_worked_out_from_nothing(
    loaded_store: EmbeddedStore, subject: str, predicate: str, value: NamedNode | Literal
) -> None:
    graph = NamedNode("https://w3id.org/cybergov/graph/import/test/far")
    statement = Quad(NamedNode(subject), NamedNode(predicate), value, graph)
    target = memory_store()
    assert materialise_change(target, read_rules(), source=loaded_store, extra=[statement]) is None
    assert not target.named_graphs()


def test_the_response_fixture_derives_what_a_full_materialisation_derives(
    store: EmbeddedStore,
) -> None:
    _same_as_full(store, importer_for("cfr"), FIXTURES / "importers" / "cfr-responses.csv")


@pytest.mark.slow
@pytest.mark.parametrize(("source", "folder"), [("stix", "mitre-cti"), ("misp", "misp-galaxy")])
def test_shared_data_derives_what_a_full_materialisation_derives(
    store: EmbeddedStore, source: str, folder: str
) -> None:
    _same_as_full(store, importer_for(source), shared_data(folder))


def test_the_bundled_graph_semi_naively_and_naively(store: EmbeddedStore) -> None:
    refresh_inferences(store, force=True)
    assert _inferred(store) == _full(store)


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_CG = "https://w3id.org/cybergov/ontology#"
_ID = "https://w3id.org/cybergov/id/"
_TEST = NamedNode("https://w3id.org/cybergov/graph/import/test/reach")
_META = NamedNode(META_GRAPH)


def _link(kind: str, actor: str, to: str) -> list[Quad]:
    """A link record made up for the test (an example.org resource), as the curated ones."""
    link = NamedNode(f"https://example.org/link/{actor.rsplit('/', 1)[1]}--{kind}")
    statements: list[tuple[str, NamedNode | Literal]] = [
        (f"{_RDF}type", NamedNode(f"{_CG}{kind}")),
        (f"{_RDFS}label", Literal("a link made up for a test", language="en")),
        ("http://purl.org/dc/terms/source", NamedNode("https://example.org/source")),
        (f"{_CG}linkedActor", NamedNode(f"{_ID}{actor}")),
        (f"{_CG}linkedTo", NamedNode(f"{_ID}{to}")),
    ]
    return [Quad(link, NamedNode(p), o, _TEST) for p, o in statements]


def test_a_new_link_derives_for_the_recorded_attributions_it_reaches(
    store: EmbeddedStore, caplog: pytest.LogCaptureFixture
) -> None:
    """A sponsorship link of a group to a second state: the derivations of the recorded
    attributions to the group (none of them new) are found from the link, backwards."""
    caplog.set_level(logging.DEBUG, logger="cybergov.knowledge")
    quads = _link("SponsorshipLink", "group/lazarus-group", "state/CN")
    stage_new_graph(
        store, _TEST.value, [Triple(q.subject, q.predicate, q.object) for q in quads], []
    )
    messages = [r.getMessage() for r in caplog.records]
    assert any("from those of the store" in m for m in messages)
    assert any(
        re.fullmatch(r"attribution-chain: evaluated for [1-9]\d* records.*", m) for m in messages
    )
    derived = store.select(
        f"SELECT ?d WHERE {{ GRAPH <{INFERRED_GRAPH_PREFIX}attribution-chain> "
        f"{{ ?d <{_CG}derivedFrom> {quads[0].subject} }} }}"
    )
    assert derived.rows  # the recorded attributions to the group now reach China too
    assert _inferred(store) == _full(store)


def test_a_second_path_to_a_state_already_reached_is_worked_out_from_nothing(
    loaded_store: EmbeddedStore,
) -> None:
    """An operator link of a group to an organ of the state it is linked to: the derived
    attributions through the group list one step more (an earlier derivation changes)."""
    change = _link("OperatorLink", "group/apt31", "organ/cn-mss")
    target = memory_store()
    assert materialise_change(target, read_rules(), source=loaded_store, extra=change) is None
    assert not target.named_graphs()


def test_a_retraction_of_a_recorded_attribution_is_worked_out_from_nothing(
    loaded_store: EmbeddedStore,
) -> None:
    """What was derived from a recorded attribution goes when it is retracted."""
    recorded = loaded_store.select(
        f"SELECT ?a WHERE {{ GRAPH <{INFERRED_GRAPH_PREFIX}attribution-chain> "
        f"{{ ?d <{_CG}derivedFrom> ?a }} ?a a <{_CG}Attribution> }} ORDER BY ?a LIMIT 1"
    ).only()
    assert isinstance(recorded, NamedNode)
    status = NamedNode(f"{_ID}attribution-status/retracted")
    change = [Quad(recorded, NamedNode(f"{_CG}attributionStatus"), status, _TEST)]
    target = memory_store()
    assert materialise_change(target, read_rules(), source=loaded_store, extra=change) is None
    assert not target.named_graphs()


def _change_of(store: EmbeddedStore, path: Path) -> tuple[list[Quad], list[Quad]]:
    """The statements an import of ``path`` into a copy of ``store`` writes, and the
    metadata graph it leaves (but the descriptions of inferred graphs)."""
    copy = scratch_copy(store)
    report = run_import(copy, importer_for("cfr"), path, name="fast")
    graph = NamedNode(report.graph)
    extra = [
        Quad(t.subject, t.predicate, t.object, graph) for t in copy.graph_triples(report.graph)
    ]
    return extra, metadata_but_inferred(copy)


def _worked_out(
    source: EmbeddedStore, change: tuple[Iterable[Quad], list[Quad]], **options: bool
) -> tuple[dict[str, set[tuple[str, str, str]]], dict[str, int], bool]:
    """The inferred graphs :func:`materialise_change` gives (the graphs of ``source`` with
    the additions, when it gives the additions only), their counts, and whether it gave the
    additions only."""
    extra, described = change
    target = memory_store()
    target.oxigraph.extend(described)
    report = materialise_change(target, read_rules(), source=source, extra=extra, **options)
    assert report is not None
    graphs = _inferred(target)
    if report.additions is not None:
        assert not graphs
        graphs = _inferred(source)
        for graph, statements in report.additions.items():
            graphs[graph] = graphs.get(graph, set()) | {_key(t) for t in statements}
    return graphs, report.added, report.additions is not None


@pytest.fixture(params=["fixture", "synthetic"])
def change(
    request: pytest.FixtureRequest, loaded_store: EmbeddedStore, tmp_path: Path
) -> tuple[list[Quad], list[Quad]]:
    if request.param == "fixture":
        return _change_of(loaded_store, CFR_FIXTURE)
    export = tmp_path / "cfr-300.csv"
    write_synthetic_cfr(export, 300)
    return _change_of(loaded_store, export)


def test_the_closure_rules_in_python_derive_what_their_queries_derive(
    loaded_store: EmbeddedStore, change: tuple[list[Quad], list[Quad]]
) -> None:
    assert _worked_out(loaded_store, change) == _worked_out(loaded_store, change, python=False)


def test_the_additions_are_what_the_whole_graphs_add(
    loaded_store: EmbeddedStore, change: tuple[list[Quad], list[Quad]]
) -> None:
    whole, counts, _ = _worked_out(loaded_store, change)
    assert _worked_out(loaded_store, change, additions=True) == (whole, counts, True)


@pytest.mark.parametrize("twice", ["metadata", "inferred"])
def test_the_additions_are_not_given_when_an_inferred_statement_is_held_twice(
    store: EmbeddedStore, change: tuple[list[Quad], list[Quad]], twice: str
) -> None:
    """A statement of an inferred graph that the metadata graph or another inferred graph
    holds too is not written to the second graph again (as :meth:`Store.add_triples`):
    the graphs are given whole."""
    held = next(store.graph_triples(f"{INFERRED_GRAPH_PREFIX}subclass"))
    extra, described = change
    if twice == "metadata":
        described = [*described, Quad(held.subject, held.predicate, held.object, _META)]
    else:
        graph = NamedNode(f"{INFERRED_GRAPH_PREFIX}actor-links")
        store.oxigraph.add(Quad(held.subject, held.predicate, held.object, graph))
    whole, counts, _ = _worked_out(store, (extra, described))
    assert _worked_out(store, (extra, described), additions=True) == (whole, counts, False)


def test_the_derivation_rules_read_the_same_in_place_as_on_a_copy(
    loaded_store: EmbeddedStore,
    change: tuple[list[Quad], list[Quad]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    in_place = _worked_out(loaded_store, change)
    monkeypatch.setattr(_Readable, "_read_in_place", lambda self, store: False)
    assert _worked_out(loaded_store, change) == in_place


def test_a_batch_of_the_new_graph_derives_what_its_quads_derive(
    loaded_store: EmbeddedStore, change: tuple[list[Quad], list[Quad]]
) -> None:
    """The statements of the new graph given as one batch (loaded from their text, kept as
    triples) give the inferences they give as quads."""
    extra, described = change
    graph = extra[0].graph_name
    assert isinstance(graph, NamedNode)
    batch = GraphBatch(graph.value, [Triple(q.subject, q.predicate, q.object) for q in extra])
    assert batch.text() is not None
    for additions in (False, True):
        expected = _worked_out(loaded_store, change, additions=additions)
        assert _worked_out(loaded_store, (batch, described), additions=additions) == expected
