"""The round trip of the STIX export: the curated graph exported with ``export_stix``, the
bundle imported with the STIX importer, and the same attributions read back."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from cybergov.exchange.stix import export_stix
from cybergov.importers.model import Verdict
from cybergov.importers.run import import_graph, run_import
from cybergov.importers.stix import StixImporter
from cybergov.importers.stix_cybergov import REASON, confidence_level
from cybergov.knowledge.load import stored_checksums
from cybergov.namespaces import KG_GRAPH_PREFIX
from cybergov.store.embedded import EmbeddedStore

CG = "https://w3id.org/cybergov/ontology#"
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


def _quads(store: EmbeddedStore) -> int:
    row = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").only()
    return int(row.value)


@pytest.mark.slow
def test_export_import_gives_the_same_attributions(store: EmbeddedStore, tmp_path: Path) -> None:
    curated = _attributions(store, f'STRSTARTS(STR(?g), "{KG_GRAPH_PREFIX}")')
    assert len(curated) > 100
    bundle = tmp_path / "cybergov.json"
    bundle.write_text(export_stix(store).json(), encoding="utf-8")
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
