"""The round trip of the STIX export: the curated graph exported with ``export_stix``, the
bundle imported with the STIX importer, and the same attributions read back."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from pyoxigraph import Triple

from cybergov.exchange.stix import export_stix
from cybergov.execution import QueryRunner
from cybergov.importers.context import read_context
from cybergov.importers.model import REFUSED, Batch, Verdict
from cybergov.importers.run import import_graph, run_import
from cybergov.importers.stix import StixImporter
from cybergov.importers.stix_cybergov import REASON, OwnObjects, confidence_level
from cybergov.knowledge.load import stored_checksums
from cybergov.namespaces import BASE, KG_GRAPH_PREFIX, MAINTAINERS, META_GRAPH
from cybergov.store.embedded import EmbeddedStore

CG = "https://w3id.org/cybergov/ontology#"
DCT = "http://purl.org/dc/terms/"
UNSTATED = "https://w3id.org/cybergov/id/confidence/unstated"
#: (incident, attributor, actor held responsible, date, confidence, bases, statuses)
Attribution = tuple[str, str, str, str, str, frozenset[str], frozenset[str]]


def _attributions(store: EmbeddedStore, graphs: str) -> set[Attribution]:
    """The recorded attributions of the graphs ``graphs`` (a SPARQL filter on ``?g``), one
    tuple per attributor and actor held responsible; derived attributions left out."""
    answer = store.select(
        f"PREFIX cg: <{CG}> SELECT ?a ?incident ?by ?to ?date ?confidence ?basis ?status "
        f"WHERE {{ GRAPH ?g {{ ?a a cg:Attribution ; cg:attributedIncident ?incident ; "
        f"cg:attributedBy ?by ; cg:attributedTo ?to ; cg:attributionDate ?date . "
        f"OPTIONAL {{ ?a cg:confidence ?confidence }} OPTIONAL {{ ?a cg:attributionBasis ?basis }} "
        f"OPTIONAL {{ ?a cg:attributionStatus ?status }} }} FILTER({graphs}) "
        f"FILTER NOT EXISTS {{ ?a a cg:DerivedAttribution }} }}"
    ).as_dicts()
    found: dict[tuple[str, str, str, str, str, str], tuple[set[str], set[str]]] = defaultdict(
        lambda: (set(), set())
    )
    for row in answer:
        confidence = row["confidence"].value if "confidence" in row else UNSTATED
        key = (
            row["a"].value,
            row["incident"].value,
            row["by"].value,
            row["to"].value,
            row["date"].value[:10],
            confidence,
        )
        bases, statuses = found[key]
        if "basis" in row:
            bases.add(row["basis"].value)
        if "status" in row:
            statuses.add(row["status"].value)
    return {
        (incident, by, to, day, confidence, frozenset(bases), frozenset(statuses))
        for (_, incident, by, to, day, confidence), (bases, statuses) in found.items()
    }


def _publishers(store: EmbeddedStore, graph: str) -> set[str]:
    """The publishers the metadata graph names for an import's graph."""
    answer = store.select(
        f"SELECT ?p WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> <{DCT}publisher> ?p }} }}"
    )
    return {row[0].value for row in answer.rows if row[0] is not None}


def _quads(store: EmbeddedStore) -> int:
    row = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").only()
    return int(row.value)


@pytest.mark.slow
def test_export_import_gives_the_same_attributions(store: EmbeddedStore, tmp_path: Path) -> None:
    curated = _attributions(store, f'STRSTARTS(STR(?g), "{KG_GRAPH_PREFIX}")')
    assert len(curated) > 100
    bundle = tmp_path / "cybergov.json"
    with QueryRunner(store) as runner:
        bundle.write_text(export_stix(runner).json(), encoding="utf-8")
    before = stored_checksums(store)

    report = run_import(store, StixImporter(), bundle, name="round-trip")

    graph = import_graph("stix", "round-trip")
    assert _attributions(store, f"?g = <{graph}>") == curated
    assert report.counts.refused == 0, report.problems
    after = stored_checksums(store)
    kg = {g: c for g, c in before.items() if g.startswith(KG_GRAPH_PREFIX)}
    assert kg == {g: c for g, c in after.items() if g.startswith(KG_GRAPH_PREFIX)}
    assert report.matches
    assert {(m.reason, m.score, m.verdict) for m in report.matches} == {
        (REASON, 1.0, Verdict.MATCHED)
    }
    assert {m.record for m in report.matches} == {m.curated for m in report.matches}
    assert _publishers(store, graph) == {MAINTAINERS}

    quads = _quads(store)
    again = run_import(store, StixImporter(), bundle, name="round-trip")
    assert stored_checksums(store) == after
    assert _quads(store) == quads
    assert again.counts.made == report.counts.made


def test_confidence_back_from_the_stix_scale() -> None:
    level = "https://w3id.org/cybergov/id/confidence/"
    assert confidence_level(85) == f"{level}high"
    assert confidence_level(50) == f"{level}moderate"
    assert confidence_level(15) == f"{level}low"
    assert confidence_level(None) == UNSTATED
    assert confidence_level(0) == UNSTATED


def _own(kind: str, number: int, iri: str, **properties: object) -> dict[str, object]:
    reference = {"source_name": "cybergov", "url": iri}
    return {
        "type": kind,
        "id": f"{kind}--00000000-0000-5000-8000-{number:012d}",
        "external_references": [reference, {"source_name": "source", "url": SOURCE_URL}],
        **properties,
    }


SOURCE_URL = "https://example.org/statement"
ID = "https://w3id.org/cybergov/id/"


def test_only_identities_of_the_graph_attribute(loaded_store: EmbeddedStore) -> None:
    """An attributor, incident and actor are resolved by their cybergov IRI alone: a maker
    whose IRI is not an actor of the graph is refused even when it bears an actor's name."""
    context = read_context(loaded_store, as_of=date(2026, 1, 1))
    uk = _own("identity", 1, f"{ID}state/GB", name="United Kingdom")
    stranger = _own("identity", 2, "https://example.org/united-kingdom", name="United Kingdom")
    incident = _own("incident", 3, f"{ID}incident/notpetya-2017", name="NotPetya")
    sandworm = _own("intrusion-set", 4, f"{ID}group/sandworm", name="Sandworm")

    def claim(number: int, maker: dict[str, object]) -> dict[str, object]:
        return _own(
            "relationship", number, f"{ID}attribution/example",
            relationship_type="attributed-to", source_ref=incident["id"],
            target_ref=sandworm["id"], created_by_ref=maker["id"],
            created="2018-02-15T00:00:00Z", confidence=85,
            x_cybergov_attribution=f"{ID}attribution/example",
            x_cybergov_attribution_basis=["political"],
            x_cybergov_attribution_status=["settled"],
        )  # fmt: skip

    own = OwnObjects()
    for obj in (uk, stranger, incident, sandworm, claim(5, uk), claim(6, stranger)):
        assert own.take("bundle.json", obj)
    assert not own.take("bundle.json", {"type": "identity", "id": "identity--x"})
    batch = Batch()
    own.read(context, batch)

    [record] = batch.records
    objects = {
        (t.predicate.value, t.object.value)
        for t in record.triples
        if not isinstance(t.object, Triple)
    }
    assert (f"{CG}attributedBy", f"{ID}state/GB") in objects
    assert (f"{CG}attributedTo", f"{ID}group/sandworm") in objects
    assert (f"{CG}confidence", f"{ID}confidence/high") in objects
    assert ("http://purl.org/dc/terms/source", SOURCE_URL) in objects
    [refused] = [p for p in batch.problems if p.action == REFUSED]
    assert refused.field == "created_by_ref"


def test_our_own_bundle_is_published_by_the_maintainers(loaded_store: EmbeddedStore) -> None:
    """The maker of a bundle's objects (``created_by_ref``) publishes the import: our own
    identity stands for the cybergov maintainers, not for MITRE."""
    context = read_context(loaded_store, as_of=date(2026, 1, 1))
    producer = _own("identity", 1, BASE, name="cybergov")
    incident = _own(
        "incident", 2, f"{ID}incident/notpetya-2017", name="NotPetya",
        created_by_ref=producer["id"],
    )  # fmt: skip
    own = OwnObjects()
    for obj in (producer, incident):
        assert own.take("bundle.json", obj)
    batch = Batch()
    own.read(context, batch)
    assert batch.publishers == [MAINTAINERS]
