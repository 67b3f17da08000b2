"""The STIX importer on MITRE ATT&CK (../shared/data/mitre-cti) and on a STIX 2.1 bundle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cybergov.errors import ImportInputError
from cybergov.importers.model import REFUSED, WITHOUT_TYPE_OR_TARGET, Verdict
from cybergov.importers.run import import_graph, run_import
from cybergov.importers.stix import MITRE, StixImporter
from cybergov.namespaces import KG_GRAPH_PREFIX, META_GRAPH
from cybergov.store.embedded import EmbeddedStore
from tests.conftest import FIXTURES
from tests.importers.conftest import shared_data

ID = "https://w3id.org/cybergov/id/"
PREFIXES = (
    "PREFIX cg: <https://w3id.org/cybergov/ontology#> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
)


def _attack_objects(folder: Path, kind: str) -> dict[str, dict[str, object]]:
    """The live (not revoked, not deprecated) objects of a kind, by id."""
    found: dict[str, dict[str, object]] = {}
    for file in folder.glob(f"*/{kind}/*.json"):
        obj = json.loads(file.read_text())["objects"][0]
        if not obj.get("revoked") and not obj.get("x_mitre_deprecated"):
            found[obj["id"]] = obj
    return found


@pytest.mark.slow
def test_attack_gives_every_intrusion_set_with_every_alias_linked_not_merged(
    store: EmbeddedStore,
) -> None:
    folder = shared_data("mitre-cti")
    curated = {
        g: store.graph_size(g) for g in store.named_graphs() if g.startswith(KG_GRAPH_PREFIX)
    }
    report = run_import(store, StixImporter(), folder, name="attack")
    graph = import_graph("stix", "attack")
    sets = _attack_objects(folder, "intrusion-set")
    answer = store.select(
        PREFIXES + f"SELECT ?g ?name WHERE {{ GRAPH <{graph}> {{ ?g a cg:ThreatActorGroup ; "
        "cg:hasAlias/cg:aliasName ?name }}"
    )
    aliases: dict[str, set[str]] = {}
    for row in answer.as_dicts():
        aliases.setdefault(row["g"].value, set()).add(row["name"].value)
    assert len(aliases) == len(sets)
    for obj in sets.values():
        attack_id = next(
            r["external_id"]
            for r in obj["external_references"]  # type: ignore[attr-defined]
            if r.get("source_name") == "mitre-attack"
        )
        assert aliases[f"{ID}group/attack-{attack_id.lower()}"] == set(obj["aliases"])  # type: ignore[call-overload]
    # linked by ATT&CK identifier, never fused: the curated group keeps its own graph
    assert store.ask(
        PREFIXES + f"ASK {{ GRAPH <{graph}> {{ <{ID}group/attack-g0007> skos:closeMatch "
        f"<{ID}group/apt28> }} }}"
    )
    linked = {
        m.curated for m in report.matches if m.kind == "group" and m.verdict is Verdict.MATCHED
    }
    assert len(linked) >= 20
    assert curated == {
        g: store.graph_size(g) for g in store.named_graphs() if g.startswith(KG_GRAPH_PREFIX)
    }
    # a curated campaign with the same ATT&CK identifier gets MITRE's attribution
    assert store.ask(
        PREFIXES
        + f"ASK {{ GRAPH <{graph}> {{ ?a cg:attributedIncident <{ID}incident/solarwinds-2020> ;"
        f" cg:attributedBy <{ID}cso/mitre> ; cg:attributedTo <{ID}group/attack-g0016> }} }}"
    )
    # every campaign is imported or matched, none refused: those that ATT&CK gives no type
    # or target are imported without them and reported, with MITRE's attributions
    campaigns = _attack_objects(folder, "campaign")
    assert not [r for r in report.problems if r.action == REFUSED and "/campaign/" in r.row]
    assert not [r for r in report.problems if r.field == "source_ref"]
    matched = {m.row for m in report.matches if m.kind == "campaign"}
    imported = store.select(
        PREFIXES + f"SELECT ?c WHERE {{ GRAPH <{graph}> {{ ?c a cg:Campaign }} }}"
    ).rows
    assert len(imported) + len(matched) == len(campaigns)
    without = {r.row for r in report.problems if r.action == WITHOUT_TYPE_OR_TARGET}
    assert len(without) >= 40
    assert not [p for p in report.problems if "shapes" in p.problem]


def test_a_stix_21_bundle(store: EmbeddedStore) -> None:
    report = run_import(store, StixImporter(), FIXTURES / "importers" / "stix21-synthetic.json")
    assert report.status == "imported"
    problems = {p.field: p for p in report.problems}
    assert problems["created_by_ref"].action == REFUSED
    graph = import_graph("stix", "stix21-synthetic")
    assert store.ask(
        f"ASK {{ GRAPH <{META_GRAPH}> {{ <{graph}> <http://purl.org/dc/terms/publisher> "
        f"<{MITRE}> }} }}"
    )
    assert store.ask(
        PREFIXES + f"ASK {{ GRAPH <{graph}> {{ ?a cg:attributedIncident "
        f"<{ID}incident/stix-synthetic-campaign> ; cg:attributedTo <{ID}group/stix-synthetic-set> ;"
        f' cg:attributionDate "2024-02-02T00:00:00"^^<http://www.w3.org/2001/XMLSchema#dateTime> .'
        f" <{ID}incident/stix-synthetic-campaign> cg:targetCountry <{ID}state/NO> }} }}"
    )


def test_a_file_that_is_not_stix(store: EmbeddedStore, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ImportInputError):
        run_import(store, StixImporter(), bad)
