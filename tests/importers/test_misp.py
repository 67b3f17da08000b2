"""The MISP galaxy importer on the threat actors of ../shared/data/misp-galaxy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cybergov.errors import ImportInputError
from cybergov.importers.misp import MispImporter
from cybergov.importers.model import Verdict
from cybergov.importers.run import import_graph, run_import
from cybergov.store.embedded import EmbeddedStore
from tests.importers.conftest import shared_data

ID = "https://w3id.org/cybergov/id/"
PREFIXES = (
    "PREFIX cg: <https://w3id.org/cybergov/ontology#> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
)


@pytest.mark.slow
def test_every_threat_actor_with_its_synonyms_and_cfr_sponsor(store: EmbeddedStore) -> None:
    folder = shared_data("misp-galaxy")
    values = json.loads((folder / "clusters" / "threat-actor.json").read_text())["values"]
    report = run_import(store, MispImporter(), folder, name="galaxy")
    graph = import_graph("misp", "galaxy")
    assert report.counts.refused == 0
    groups = store.select(
        PREFIXES
        + f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?g a cg:ThreatActorGroup }} }}"
    ).only()
    names = {v["value"] for v in values}
    assert int(groups.value) == len(names)
    synonyms = {s.strip() for v in values for s in v.get("meta", {}).get("synonyms", [])} - {""}
    found = store.select(
        PREFIXES + f"SELECT DISTINCT ?name WHERE {{ GRAPH <{graph}> {{ ?a cg:aliasName ?name ; "
        f"cg:aliasAssignedBy <{ID}cso/misp-project> }} }}"
    ).column("name")
    assert {t.value for t in found if t is not None} == synonyms
    # the sponsor MISP takes from CFR is CFR's claim
    assert store.ask(
        PREFIXES + f"ASK {{ GRAPH <{graph}> {{ ?link cg:linkedActor <{ID}group/misp-apt1> ; "
        f"cg:linkedTo <{ID}state/CN> ; cg:statedBy <{ID}cso/council-on-foreign-relations> }} }}"
    )
    matched = {m.curated.rsplit("/", 1)[-1] for m in report.matches if m.verdict is Verdict.MATCHED}
    assert {"apt28", "apt29", "sandworm", "lazarus-group"} <= matched


def test_a_file_of_another_cluster(store: EmbeddedStore, tmp_path: Path) -> None:
    other = tmp_path / "country.json"
    other.write_text(json.dumps({"type": "country", "values": []}))
    with pytest.raises(ImportInputError, match="not of threat actors"):
        run_import(store, MispImporter(), other)
