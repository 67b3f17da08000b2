"""Releases frozen under a semantic version, and the change sets between them: applying the
change set from release N to N+1 to a copy of N gives N+1's checksum."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import frictionless
import pytest
import yaml
from pyoxigraph import RdfFormat, parse

from cybergov.errors import ExportError, ResourceNotFound
from cybergov.exchange.changesets import apply_patch, read_patch
from cybergov.exchange.releases import CANONICAL_FILENAME, Releases, release_folder
from cybergov.execution import QueryRunner
from cybergov.knowledge.canonical import canonical_checksum
from cybergov.settings import Settings
from tests.conftest import PREFIXES, ontology_store

FIRST = (
    PREFIXES
    + """
state:XA a cg:State ; rdfs:label "Exampleland"@en ; cg:iso3166Alpha2 "XA" .
state:XB a cg:State ; rdfs:label "Testonia"@en ; cg:iso3166Alpha2 "XB" .
incident:wiper-2020 a cg:Incident ; rdfs:label "Wiper attack (2020)"@en ;
    dct:source <https://example.org/a> ; cg:targetCountry state:XB ;
    cg:startDate "2020-03-01T00:00:00"^^xsd:dateTime .
state:XA skos:note [ rdfs:label "a note on a blank node"@en ; rdfs:comment "first"@en ] .
"""
)
SECOND = (
    PREFIXES
    + """
state:XA a cg:State ; rdfs:label "Exampleland"@en ; cg:iso3166Alpha2 "XA" .
state:XB a cg:State ; rdfs:label "Testonia (renamed)"@en ; cg:iso3166Alpha2 "XB" .
incident:wiper-2020 a cg:Incident ; rdfs:label "Wiper attack (2020)"@en ;
    dct:source <https://example.org/a> ; cg:targetCountry state:XB ;
    cg:startDate "2020-03-01T00:00:00"^^xsd:dateTime .
incident:leak-2021 a cg:Incident ; rdfs:label "Leak (2021)"@en ;
    dct:source <https://example.org/b> ; cg:targetCountry state:XA ;
    cg:startDate "2021-05-01T00:00:00"^^xsd:dateTime .
state:XA skos:note [ rdfs:label "a note on a blank node"@en ; rdfs:comment "second"@en ] .
"""
)


def freeze(store, releases, version, day):
    with QueryRunner(store, settings=Settings(query_timeout=30, query_workers=1)) as runner:
        return releases.freeze(runner, version, on=day)


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    releases = Releases(tmp_path_factory.mktemp("releases"))
    first_store, second_store = ontology_store(FIRST), ontology_store(SECOND)
    first = freeze(first_store, releases, "1.0.0", date(2026, 1, 15))
    second = freeze(second_store, releases, "1.1.0", date(2026, 2, 1))
    return releases, first, second, second_store


def test_a_release_holds_every_dump_with_its_checksum(released):
    releases, first, _, _ = released
    assert releases.versions() == ["1.0.0", "1.1.0"]
    names = {f.name for f in first.files}
    for name in ("cybergov.nq", "cybergov.ttl.gz", "cybergov.jsonld", CANONICAL_FILENAME,
                 "tables/datapackage.json", "CITATION.cff", "datacite.json", "dcat.ttl"):  # fmt: skip
        assert name in names, name
    for item in first.files:
        body = (first.folder / item.name).read_bytes()
        assert hashlib.sha256(body).hexdigest() == item.sha256, item.name
    canonical = (first.folder / CANONICAL_FILENAME).read_bytes()
    assert hashlib.sha256(canonical).hexdigest() == first.checksum
    dumped = list(parse((first.folder / "cybergov.nq").read_bytes(), format=RdfFormat.N_QUADS))
    assert len(dumped) == first.statements == len(first.canonical_lines())
    tables = json.loads((first.folder / "tables" / "datapackage.json").read_text())
    assert (tables["version"], tables["created"]) == ("1.0.0", "2026-01-15T00:00:00Z")
    report = frictionless.validate(first.folder / "tables" / "datapackage.json")
    assert report.valid, report.flatten(["type", "note"])
    sums = (first.folder / "SHA256SUMS").read_text()
    assert f"{first.checksum}  {CANONICAL_FILENAME}" in sums


def test_a_release_carries_its_citation_and_dcat_description(released):
    _, first, second, _ = released
    citation = yaml.safe_load((second.folder / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0" and citation["type"] == "dataset"
    assert (citation["version"], citation["date-released"]) == ("1.1.0", "2026-02-01")
    assert citation["license"] == "CC-BY-4.0" and citation["authors"][0]["name"]
    datacite = json.loads((second.folder / "datacite.json").read_text())
    assert datacite["types"]["resourceTypeGeneral"] == "Dataset"
    assert datacite["rightsList"][0]["rightsUri"].endswith("/by/4.0/")
    assert {"relationType": "IsNewVersionOf", "relatedIdentifierType": "URL",
            "relatedIdentifier": "https://w3id.org/cybergov/releases/1.0.0/"} in datacite["relatedIdentifiers"]  # fmt: skip
    triples = list(parse((first.folder / "dcat.ttl").read_bytes(), format=RdfFormat.TURTLE))
    downloads = {t.object.value for t in triples if t.predicate.value.endswith("#downloadURL")}
    assert "https://w3id.org/cybergov/releases/1.0.0/cybergov.nq.gz" in downloads
    checksums = {t.object.value for t in triples if t.predicate.value.endswith("#checksumValue")}
    assert first.file("cybergov.ttl").sha256 in checksums


def test_a_release_is_never_made_twice_nor_below_the_latest(released, tmp_path):
    releases, _, _, store = released
    for version in ("1.1.0", "1.0.5", "one"):
        with pytest.raises(ExportError):
            freeze(store, releases, version, None)
    with pytest.raises(ResourceNotFound):
        releases.get("9.9.9")


def test_the_change_set_from_n_to_n_plus_1_applied_to_n_gives_n_plus_1(released):
    releases, first, second, _ = released
    changes = releases.changes("1.0.0", "1.1.0")
    patch = read_patch(changes.patch())
    assert patch.headers["fromChecksum"] == first.checksum
    assert patch.headers["toChecksum"] == second.checksum
    copy = (first.folder / CANONICAL_FILENAME).read_text().splitlines()
    result = apply_patch(copy, patch)
    assert canonical_checksum(result) == second.checksum
    # the blank node that changed is deleted under its old label and added under its new one
    assert any("_:g" in line and '"first"@en' in line for line in patch.removed)
    assert any("_:g" in line and '"second"@en' in line for line in patch.added)
    assert any("Testonia (renamed)" in line for line in patch.added)
    graphs = changes.by_graph()
    assert "https://w3id.org/cybergov/graph/kg/fixture-0" in graphs


def test_a_patch_refuses_a_copy_it_does_not_start_from(released):
    releases, _, second, _ = released
    patch = read_patch(releases.changes("1.0.0", "1.1.0").patch())
    with pytest.raises(ExportError, match=r"the copy is not 1\.0\.0"):
        apply_patch(second.canonical_lines(), patch)


def test_the_change_set_to_the_live_store_reaches_its_checksum(released):
    releases, first, second, store = released
    changes = releases.changes("1.0.0", store=store)
    assert changes.target == "live"
    result = apply_patch(first.canonical_lines(), read_patch(changes.patch()))
    assert canonical_checksum(result) == changes.target_checksum == second.checksum
    assert releases.changes("1.1.0", store=store).removed == ()


def test_releases_are_kept_beside_the_store_unless_configured(tmp_path):
    assert release_folder(Settings(store=tmp_path / "store")) == tmp_path / "releases"
    assert release_folder(Settings(release_dir=tmp_path / "x")) == tmp_path / "x"
