"""The research tables: one row per record, a codebook whose allowed values come from the
graph's concept schemes, a Data Package that the ``frictionless`` library validates, and
tables that pandas loads with the codebook's types."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import frictionless
import pandas as pd
import pytest

from cybergov.exchange.table_specs import TABLES
from cybergov.exchange.tables import (
    ZIP_FILENAME,
    Tables,
    read_tables,
    table_documents,
    write_tables,
)
from cybergov.execution import QueryRunner
from cybergov.settings import Settings
from tests.conftest import PREFIXES, ontology_store

WORLD = (
    PREFIXES
    + """
@prefix role: <https://w3id.org/cybergov/id/role/> .
@prefix instrument: <https://w3id.org/cybergov/id/instrument/> .
@prefix participation: <https://w3id.org/cybergov/id/participation/> .
state:XA a cg:State ; rdfs:label "Exampleland"@en ; cg:iso3166Alpha2 "XA" .
state:XB a cg:State ; rdfs:label "Testonia"@en ; cg:iso3166Alpha2 "XB" .
instrument:pact a cg:Treaty ; rdfs:label "Example pact"@en .
incident:wiper-2020 a cg:Incident ; rdfs:label "Wiper attack (2020)"@en ;
    dct:description "An invented incident."@en ;
    dct:source <https://example.org/a;b> , <https://example.org/c> ;
    cg:startDate "2020-03-01T00:00:00"^^xsd:dateTime ;
    cg:incidentType incident-type:destruction , incident-type:sabotage ;
    cg:targetSector sector:energy , sector:water ;
    cg:targetCountry state:XB .
attribution:wiper-2020--xb a cg:Attribution ; rdfs:label "Testonia's attribution"@en ;
    dct:source <https://example.org/attribution> ;
    cg:attributedIncident incident:wiper-2020 ; cg:attributedBy state:XB ;
    cg:attributedTo state:XA ; cg:attributionBasis attribution-basis:political ;
    cg:attributionStatus attribution-status:settled ;
    cg:attributionDate "2020-06-01T00:00:00"^^xsd:dateTime .
membership:pact--XA a org:Membership ; rdfs:label "XA in the pact"@en ;
    dct:source <https://example.org/m> ; org:member state:XA ; org:organization instrument:pact .
participation:pact--XA--party a cg:Participation ; rdfs:label "XA party to the pact"@en ;
    dct:source <https://example.org/p> ; cg:participant state:XA ;
    cg:participatesIn instrument:pact ; cg:participationRole role:party ;
    cg:startDate "2019-01-01T00:00:00"^^xsd:dateTime .
"""
)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    store = ontology_store(WORLD)
    with QueryRunner(store, settings=Settings(query_timeout=20, query_workers=1)) as runner:
        tables = read_tables(runner, version="1.0.0")
    folder = tmp_path_factory.mktemp("tables")
    write_tables(tables, folder)
    return tables, folder


def rows(folder, name):
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_one_row_per_record_with_stable_ids_and_sorted_joined_values(written):
    _, folder = written
    (incident,) = rows(folder, "incidents.csv")
    assert incident["id"] == "incident:wiper-2020"
    assert incident["iri"] == "https://w3id.org/cybergov/id/incident/wiper-2020"
    assert incident["type"] == "cg:Incident"
    assert incident["start_date"] == "2020-03-01"
    assert incident["incident_types"] == "incident-type:destruction;incident-type:sabotage"
    assert incident["target_sectors"] == "sector:energy;sector:water"
    assert incident["sources"] == "https://example.org/a%3Bb;https://example.org/c"
    values = rows(folder, "incidents-values.csv")
    sources = [v["value"] for v in values if v["column"] == "sources"]
    assert sources == ["https://example.org/a;b", "https://example.org/c"]  # whole, one a row
    (participation,) = rows(folder, "participation.csv")
    assert (participation["participant"], participation["role"]) == ("state:XA", "role:party")
    entities = {e["id"]: e for e in rows(folder, "entities.csv")}
    assert entities["state:XA"]["label"] == "Exampleland"
    assert entities["sector:energy"]["iri"] == "https://w3id.org/cybergov/id/sector/energy"


def test_the_codebook_draws_allowed_values_from_the_concept_schemes(written):
    _, folder = written
    codebook = {(r["table"], r["column"]): r for r in rows(folder, "codebook.csv")}
    assert len(codebook) == sum(len(t.columns) for t in TABLES)
    status = codebook[("attributions", "status")]
    assert status["scheme"] == "https://w3id.org/cybergov/id/scheme/attribution-statuses"
    assert set(status["allowed_values"].split(";")) == {
        "attribution-status:claimed",
        "attribution-status:contested",
        "attribution-status:retracted",
        "attribution-status:settled",
    }
    assert "cg:Sanction" in codebook[("responses", "type")]["allowed_values"].split(";")
    assert codebook[("incidents", "start_date")]["type"] == "date"
    assert codebook[("incidents", "target_sectors")]["source"].endswith("#targetSector>")


def test_the_data_package_validates_with_frictionless(written):
    _, folder = written
    report = frictionless.validate(folder / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads((folder / "datapackage.json").read_text())
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["version"] == "1.0.0"
    assert package["sources"]


def test_frictionless_finds_a_value_outside_the_scheme(written, tmp_path):
    _, folder = written
    for path in folder.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    package = json.loads((tmp_path / "datapackage.json").read_text())
    for resource in package["resources"]:
        resource.pop("hash"), resource.pop("bytes")  # the edit below changes both
    (tmp_path / "datapackage.json").write_text(json.dumps(package))
    table = tmp_path / "attributions.csv"
    table.write_text(
        table.read_text().replace("attribution-status:settled", "attribution-status:sure")
    )
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert not report.valid
    assert {e.type for t in report.tasks for e in t.errors} == {"constraint-error"}


def pandas_types(codebook: pd.DataFrame, table: str) -> tuple[dict[str, str], list[str]]:
    """The dtypes and date columns of one table, as its codebook says."""
    columns = codebook[codebook["table"] == table]
    dates = [c for c, t in zip(columns["column"], columns["type"], strict=True) if t == "date"]
    return {c: "string" for c in columns["column"] if c not in dates}, dates


def test_the_tables_load_in_pandas_with_the_codebook_types(written):
    _, folder = written
    codebook = pd.read_csv(folder / "codebook.csv", dtype="string", keep_default_na=False)
    for spec in TABLES:
        dtypes, dates = pandas_types(codebook, spec.name)
        frame = pd.read_csv(folder / spec.filename, dtype=dtypes, parse_dates=dates)
        assert list(frame.columns) == [c.name for c in spec.columns]
        for column in dates if len(frame) else ():  # an empty column has no type to parse
            assert pd.api.types.is_datetime64_any_dtype(frame[column]), column
    incidents = pd.read_csv(
        folder / "incidents.csv", dtype=pandas_types(codebook, "incidents")[0],
        parse_dates=pandas_types(codebook, "incidents")[1],
    )  # fmt: skip
    assert incidents.loc[0, "start_date"] == pd.Timestamp("2020-03-01")
    sectors = incidents["target_sectors"].str.split(";").explode()
    assert set(sectors) == {"sector:energy", "sector:water"}


def test_the_zip_holds_every_file(written):
    _, folder = written
    with zipfile.ZipFile(folder / ZIP_FILENAME) as archive:
        names = set(archive.namelist())
        package = json.loads(archive.read("datapackage.json"))
    assert {r["path"] for r in package["resources"]} | {"datapackage.json"} == names
    sums = (folder / "SHA256SUMS").read_text()
    assert ZIP_FILENAME in sums and "incidents.csv" in sums


def test_the_bundled_graph_exports_valid_tables(runner, tmp_path):
    # every value the curated graph uses is in its concept schemes
    tables = read_tables(runner, version="live")
    write_tables(tables, tmp_path)
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])
    counts = {t.spec.name: len(t.rows) for t in tables.tables}
    for spec in TABLES:  # one row per record, every record
        records = runner.select(
            f"SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{ ?r a <{spec.record_class}> }}"
        ).only()
        assert counts[spec.name] == int(records.value), spec.name
    assert counts["incidents"] > 50 and counts["attributions"] > 100
    assert counts["memberships"] > 300
    with io.StringIO((tmp_path / "attributions.csv").read_text()) as text:
        derived = [r for r in csv.DictReader(text) if r["type"] == "cg:DerivedAttribution"]
    assert derived and all(r["derived_by_rule"].startswith("rule:") for r in derived)


def test_the_service_writes_the_tables_once_per_graph_version(tmp_path):
    store = ontology_store(WORLD)
    with QueryRunner(store, settings=Settings(query_timeout=20, query_workers=1)) as runner:
        tables = Tables(runner, tmp_path)
        version, files = tables.get()
        again_version, again = tables.get()
        assert (again_version, again) == (version, files)
        assert [p.name for p in tmp_path.iterdir()] == [version[:16]]
        store.update(
            "INSERT DATA { GRAPH <https://w3id.org/cybergov/graph/kg/fixture-new> {"
            " <https://w3id.org/cybergov/id/incident/other-2021>"
            " a <https://w3id.org/cybergov/ontology#Incident> } }"
        )
        runner.refresh()
        newer, _ = tables.get()
        assert newer != version
        _, incidents = tables.file("incidents.csv")
        assert b"incident:other-2021" in incidents.path.read_bytes()


@pytest.mark.server
def test_a_sparql_server_gives_the_same_tables(remote_store, runner):
    with QueryRunner(remote_store, settings=Settings(query_timeout=60)) as remote:
        over_http = table_documents(read_tables(remote, version="v"))
    assert over_http == table_documents(read_tables(runner, version="v"))
