"""The STIX 2.1 export: what each record becomes, identifiers, selections, and the validator."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat
from stix2 import ExternalReference, Identity, Relationship
from stix2.properties import TimestampProperty
from stix2.serialization import STIXJSONEncoder
from stix2.utils import format_datetime

from cybergov.contribute.staging import scratch_copy
from cybergov.errors import ExportError, ResourceNotFound
from cybergov.exchange.stix import CURATED, apart, bundle, export_stix, stix_id
from cybergov.exchange.stix.common import external_reference, legal_reference, own_reference
from cybergov.exchange.stix.ids import STIX_NAMESPACE, relationship_id, uuid5
from cybergov.exchange.stix.objects import IDENTITY
from cybergov.exchange.stix.records import (
    CLASSES,
    PROPERTIES,
    RDF_TYPE,
    RDFS_LABEL,
    Reading,
    Record,
    _table,
    selected_graphs,
)
from cybergov.exchange.stix.relations import ATTRIBUTED, ATTRIBUTION_PROPERTIES
from cybergov.exchange.stix.written import Kind, TimeWriter, Writer, Written, plain
from cybergov.execution import QueryRunner
from cybergov.knowledge.load import refresh_inferences, set_graph_metadata
from cybergov.namespaces import shorten
from cybergov.settings import Settings
from tests.exchange.stix_reference import reference_bundle
from tests.exchange.stix_validation import validation_errors

ID = "https://w3id.org/cybergov/id/"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
IMPORT_GRAPH = "https://w3id.org/cybergov/graph/import/fixture"
IMPORTED = f"""
@prefix cg: <https://w3id.org/cybergov/ontology#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{ID}incident/fixture-2024> a cg:Incident ;
    rdfs:label "Fixture incident (2024)"@en ;
    dct:source <https://example.org/fixture> ;
    cg:startDate "2024-03-01T00:00:00"^^xsd:dateTime ;
    cg:targetCountry <{ID}state/FR> .
<{ID}attribution/fixture-2024--fr> a cg:Attribution ;
    rdfs:label "France's attribution of the fixture incident"@en ;
    dct:source <https://example.org/fixture/attribution> ;
    cg:attributedBy <{ID}state/FR> ;
    cg:attributedIncident <{ID}incident/fixture-2024> ;
    cg:attributedTo <{ID}group/apt28> ;
    cg:attributionDate "2024-04-02T00:00:00"^^xsd:dateTime ;
    cg:confidence <{ID}confidence/moderate> .
<{ID}response/fixture-statement> a cg:AttributionStatement ;
    rdfs:label "A statement on a campaign of the curated graph"@en ;
    dct:source <https://example.org/fixture/statement> ;
    cg:respondent <{ID}state/FR> ;
    cg:respondsTo <{ID}incident/operation-ababil> ;
    cg:responseDate "2024-04-03T00:00:00"^^xsd:dateTime .
[] a cg:Incident , cg:Attribution ;
    rdfs:label "A blank node: no record, and its values are no record's"@en ;
    dct:source <https://example.org/fixture/blank> , <https://example.org/fixture/blank/2> ;
    cg:attributedTo <{ID}group/apt28> ;
    cg:targetCountry <{ID}state/FR> .
"""


#: What an import records of its graph: when it was written.
IMPORT_METADATA = [
    (
        "http://www.w3.org/ns/prov#generatedAtTime",
        '"2025-01-02T03:04:05Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>',
    )
]


@pytest.fixture(scope="module")
def exported(runner):
    return export_stix(runner)


@pytest.fixture(scope="module")
def by_id(exported):
    return {o.id: o for o in exported.objects}


@pytest.fixture(scope="module")
def imported_store(loaded_store):
    store = scratch_copy(loaded_store)
    store.replace_graph(IMPORT_GRAPH, IMPORTED.encode(), format=RdfFormat.TURTLE, source="fixture")
    set_graph_metadata(store, IMPORT_GRAPH, IMPORT_METADATA)
    refresh_inferences(store, force=True)
    return store


@pytest.fixture(scope="module")
def imported_runner(imported_store):
    with QueryRunner(imported_store, settings=Settings(query_timeout=20)) as started:
        yield started


@pytest.mark.slow
def test_the_curated_bundle_passes_the_oasis_validator(exported):
    assert validation_errors(exported.json()) == []


def test_an_import_graph_is_exported_alone_and_passes_the_validator(imported_runner):
    export = export_stix(imported_runner, graph=IMPORT_GRAPH)
    kinds = sorted(o.type for o in export.objects)
    assert kinds == [
        "identity", "incident", "marking-definition", "relationship", "relationship", "report",
    ]  # fmt: skip
    assert validation_errors(export.json()) == []
    attribution = next(o for o in export.objects if o.get("relationship_type") == "attributed-to")
    assert attribution.target_ref == stix_id("intrusion-set", f"{ID}group/apt28")
    assert attribution.confidence == 50
    incident = next(o for o in export.objects if o.type == "incident")
    assert incident.modified == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert attribution.created == datetime(2024, 4, 2, tzinfo=UTC)
    statement = next(o for o in export.objects if o.type == "report")
    assert statement.labels == ["attribution-statement"]
    assert stix_id("campaign", f"{ID}incident/operation-ababil") in statement.object_refs
    assert statement.created_by_ref == stix_id("identity", f"{ID}state/FR")


def test_identifiers_and_bytes_are_the_same_in_two_exports(runner, exported):
    again = export_stix(runner)
    assert [o.id for o in again.objects] == [o.id for o in exported.objects]
    assert again.json() == exported.json()
    assert stix_id("identity", f"{ID}state/RU") in {o.id for o in again.objects}


def test_an_attribution_carries_who_when_basis_and_confidence(by_id):
    gb = f"{ID}attribution/notpetya-2017--gb"
    rel = by_id[stix_id("relationship", gb, f"{ID}state/GB", f"{ID}state/RU")]
    assert rel.relationship_type == "attributed-to"
    assert rel.source_ref == stix_id("incident", f"{ID}incident/notpetya-2017")
    assert rel.target_ref == stix_id("identity", f"{ID}state/RU")
    assert rel.created_by_ref == stix_id("identity", f"{ID}state/GB")
    assert rel.created == datetime(2018, 2, 15, tzinfo=UTC)
    assert rel.confidence == 85
    assert rel.x_cybergov_attribution_basis == ["political"]
    assert rel.x_cybergov_attribution_status == ["settled"]
    assert rel.x_cybergov_confidence_wording == "almost certainly"
    urls = [r.url for r in rel.external_references]
    assert urls[0] == gb
    assert (
        "https://www.gov.uk/government/news/foreign-office-minister-condemns-russia-for-notpetya-attacks"
        in urls
    )


def test_actors_become_identities_locations_intrusion_sets_and_threat_actors(by_id):
    russia = by_id[stix_id("identity", f"{ID}state/RU")]
    assert (russia.name, russia.sectors) == ("Russia", ["government-national"])
    assert by_id[stix_id("location", f"{ID}state/RU")].country == "RU"
    apt28 = by_id[stix_id("intrusion-set", f"{ID}group/apt28")]
    assert {"Fancy Bear", "Forest Blizzard"} <= set(apt28.aliases)
    gru = by_id[stix_id("threat-actor", f"{ID}organ/ru-gru-unit-26165")]
    assert gru.threat_actor_types == ["nation-state"]
    operator = f"{ID}link/apt28--operator--ru-gru-unit-26165"
    link = by_id[stix_id("relationship", operator)]
    assert (link.source_ref, link.target_ref) == (apt28.id, gru.id)
    assert by_id[stix_id("malware", f"{ID}malware/notpetya")].is_family


def test_a_sanction_is_a_report_by_the_respondent_on_what_it_answers(by_id):
    report = by_id[stix_id("report", f"{ID}response/eu-sanctions-2020-07-30")]
    assert report.labels == ["sanction"]
    assert report.created_by_ref == stix_id("identity", f"{ID}organisation/council-of-the-eu")
    assert report.published == datetime(2020, 7, 30, tzinfo=UTC)
    assert stix_id("incident", f"{ID}incident/notpetya-2017") in report.object_refs
    listing = stix_id("report", f"{ID}listing/eu-cyber--aleksei-morenets")
    assert listing in report.object_refs
    assert listing in by_id
    assert any(r.source_name == "legal-basis" for r in report.external_references)


def test_every_object_carries_the_licence_and_tlp_markings(exported):
    licence = next(o for o in exported.objects if o.type == "marking-definition")
    assert "CC BY 4.0" in licence.definition.statement
    for item in exported.objects:
        if item.type not in ("marking-definition", "bundle") and item.id != exported.objects[0].id:
            assert licence.id in item.object_marking_refs


def test_since_keeps_what_changed_after_a_time(runner, exported):
    later = export_stix(runner, since=datetime(2999, 1, 1, tzinfo=UTC))
    assert [o.type for o in later.objects] == ["identity", "marking-definition"]
    earlier = export_stix(runner, since=datetime(2000, 1, 1, tzinfo=UTC))
    assert len(earlier.objects) == len(exported.objects)


def test_an_unknown_graph_is_refused(runner):
    with pytest.raises(ResourceNotFound, match="no graph"):
        export_stix(runner, graph="https://w3id.org/cybergov/graph/import/nothing")


def test_the_bundle_is_json_with_its_objects(exported):
    body = json.loads(exported.json())
    assert body["type"] == "bundle"
    assert len(body["objects"]) == len(exported.objects)
    assert exported.selection == CURATED


def test_the_validator_does_find_errors(exported):
    """Two errors put in the first objects of the bundle are found. The bundle is cut to its
    first 20 objects: the validator's time grows with the objects, and the whole bundle is
    validated by the test above."""
    body = json.loads(exported.json())
    body["objects"] = body["objects"][:20]
    body["objects"][0]["created"] = "not a time"
    del body["objects"][1]["definition"]
    assert len(validation_errors(json.dumps(body))) >= 2


def test_the_bundle_is_the_bundle_of_objects_each_built(exported):
    """The text the export writes is what the library writes for every object it builds
    from that text."""
    assert exported.json() == exported.json(check_each=True)
    since = exported.modified_since(datetime(2000, 1, 1, tzinfo=UTC))
    assert since.json() == since.json(check_each=True)
    by_library = json.dumps(
        {"type": "bundle", "id": exported.bundle_id, "objects": exported.objects},
        cls=STIXJSONEncoder,
        ensure_ascii=False,
    )
    assert exported.json() == by_library


@pytest.mark.parametrize("graph", [CURATED, IMPORT_GRAPH])
def test_the_bundle_is_the_bundle_made_the_plain_way(imported_runner, graph):
    """The export gives, byte for byte, the bundle of the objects built by the library from
    their properties as Python values (``stix_reference.py``), with and without ``since``."""
    now = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    export = export_stix(imported_runner, graph=graph, now=now)
    assert export.json() == reference_bundle(imported_runner, graph, now)
    moments = sorted({item.modified for item in export.items})
    assert len(moments) >= 2
    for since in (moments[1], moments[-1] + timedelta(seconds=1)):
        later = export_stix(imported_runner, graph=graph, now=now, since=since)
        assert later.json() == reference_bundle(imported_runner, graph, now, since)


def test_a_shape_the_library_writes_otherwise_is_written_by_the_library_each_time():
    """A class that fills a property the export left out (here ``created`` and
    ``modified``, the time of building) is written by the library, object by object."""
    writer = Writer()
    identifier = stix_id("identity", f"{ID}state/XX")
    given = {"id": json.dumps(identifier), "name": '"X"'}
    first = json.loads(writer.write(Kind(Identity), identifier, NOW, dict(given)).text)
    time.sleep(0.01)
    second = json.loads(writer.write(Kind(Identity), identifier, NOW, dict(given)).text)
    assert first["created"] != second["created"]
    assert first.keys() == second.keys()


def test_a_property_a_class_does_not_have_is_refused():
    with pytest.raises(ValueError, match="no properties"):
        Writer().write(Kind(Identity), "identity--x", NOW, {"x_other": '"x"'})


def test_an_external_reference_is_written_as_the_library_writes_it():
    made = external_reference("cybergov", f"{ID}state/RU", "state:RU")
    built = ExternalReference(source_name="cybergov", url=f"{ID}state/RU", external_id="state:RU")
    assert json.dumps(made) == json.dumps(plain(built))
    assert json.dumps(external_reference("source", "https://example.org/")) == json.dumps(
        plain(ExternalReference(source_name="source", url="https://example.org/"))
    )
    assert own_reference(f"{ID}state/RU") == json.dumps(plain(built), ensure_ascii=False)
    act = 'https://example.org/acte/\u00e9t\u00e9 "quoted"'
    assert legal_reference(act) == json.dumps(
        plain(ExternalReference(source_name="legal-basis", url=act, external_id=shorten(act))),
        ensure_ascii=False,
    )


def test_identifiers_are_the_uuid5_of_the_standard_library():
    names = ["", "https://w3id.org/cybergov/id/state/RU", "a b", "é漢字 \u2028", "x" * 500]
    for name in names:
        assert uuid5(name) == str(uuid.uuid5(STIX_NAMESPACE, name))
    assert relationship_id(*names) == stix_id("relationship", *names)


def test_times_are_written_as_the_library_writes_them():
    """Times in UTC are written from their seconds and the library's fraction; others whole."""
    plus_two = timezone(timedelta(hours=2))
    moments = [datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC)] + [
        datetime(2024, 5, 1, 12, 30, 5, micro, tzinfo=zone)
        for micro in (0, 1, 1000, 120000, 999999)
        for zone in (UTC, plus_two)
    ]
    for declared in (Relationship._properties["created"], TimestampProperty()):
        write = TimeWriter(declared)
        for moment in moments:
            assert write(moment) == f'"{format_datetime(declared.clean(moment)[0])}"'
            assert write(moment) == f'"{format_datetime(declared.clean(moment)[0])}"'  # kept


def test_an_export_reads_more_rows_than_a_query_from_outside_may_return(imported_store):
    with QueryRunner(imported_store, settings=Settings(max_rows=5, max_answer_bytes=500)) as few:
        export = export_stix(few, graph=IMPORT_GRAPH)
        assert len(export.items) == 6
        assert few.query_results("SELECT * WHERE { ?s ?p ?o }", "tsv").truncated


def _without_times(bundle: str) -> list[dict]:
    objects = json.loads(bundle)["objects"]
    return [{k: v for k, v in o.items() if k not in ("created", "modified")} for o in objects]


@pytest.mark.server
def test_a_sparql_server_gives_the_same_bundle(remote_store, exported):
    """The answers of a remote store are written by the runner, not the engine: the same
    objects (apart from the times each store's graphs were loaded at)."""
    with QueryRunner(remote_store, settings=Settings(query_timeout=60)) as remote:
        over_http = export_stix(remote)
    assert [d.id for d in over_http.items] == [d.id for d in exported.items]
    assert _without_times(over_http.json()) == _without_times(exported.json())


def _read(runner: QueryRunner, graph: str) -> dict[str, Record]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        return Reading.start(runner, selected_graphs(runner.store, graph), pool).records()


@pytest.mark.parametrize("graph", [CURATED, IMPORT_GRAPH])
def test_the_records_hold_what_the_store_says_of_them(imported_store, imported_runner, graph):
    """Each record's values, read as one table per property from the workers' TSV, are the
    terms the store holds (read here one statement at a time), for every property and
    class an export reads; the records are the resources typed in the graphs."""
    records = _read(imported_runner, graph)
    graphs = [NamedNode(g) for g in selected_graphs(imported_store, graph)]
    typed = {
        quad.subject.value
        for g in graphs
        for quad in imported_store.oxigraph.quads_for_pattern(None, NamedNode(RDF_TYPE), None, g)
        if isinstance(quad.subject, NamedNode)
    }
    assert set(records) == typed and len(typed) > (1000 if graph == CURATED else 2)
    assert all(record.short == shorten(iri) for iri, record in records.items())
    classes = {f"https://w3id.org/cybergov/ontology#{name}" for name in CLASSES}
    for iri, record in records.items():
        for prop in PROPERTIES:
            terms = {
                quad.object
                for quad in imported_store.oxigraph.quads_for_pattern(
                    NamedNode(iri), NamedNode(prop), None
                )
                if not isinstance(quad.object, BlankNode)
            }
            values = sorted({term.value for term in terms})
            if prop == RDF_TYPE:
                assert record.types == {v for v in values if v in classes}, iri
                continue
            assert record.all(prop) == values, (iri, prop)
            assert record.first(prop) == (values[0] if values else None), (iri, prop)
            texts = [t for t in terms if isinstance(t, Literal)]
            english = [t.value for t in texts if t.language in (None, "en")]
            expected = min(english) if english else min((t.value for t in texts), default=None)
            assert record.text(prop) == expected, (iri, prop)


def test_records_made_before_every_table_is_read_hold_the_properties_read(runner):
    """An export makes the attributions' objects before the other properties are read:
    their records hold those properties, and refuse the others until they are read."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        graphs = selected_graphs(runner.store, CURATED)
        reading = Reading.start(runner, graphs, pool, first=ATTRIBUTION_PROPERTIES)
        records = reading.records(read=ATTRIBUTION_PROPERTIES)
        record = records[f"{ID}attribution/notpetya-2017--gb"]
        assert record.all("attributedBy") == [f"{ID}state/GB"]
        assert record.is_a("Attribution")
        with pytest.raises(KeyError):
            record.text(RDFS_LABEL)
        reading.read()
    assert record.text(RDFS_LABEL)
    assert {iri: r.all("attributedTo") for iri, r in records.items()} == {
        iri: r.all("attributedTo") for iri, r in _read(runner, CURATED).items()
    }


def test_a_property_an_export_does_not_read_is_refused(runner):
    record = next(iter(_read(runner, CURATED).values()))
    with pytest.raises(KeyError):
        record.first("http://www.w3.org/2002/07/owl#sameAs")
    with pytest.raises(ValueError, match="not one of the classes"):
        record.is_a("Concept")


def test_a_table_holds_each_subjects_values_without_blank_nodes():
    one = _table(b'?s\t?o\n<a>\t"x"@en\n<b>\t_:n1\n<c>\t<d>\n', "values")
    assert one == {"<a>": '"x"@en', "<c>": "<d>"}
    several = _table(b"?s\t?o\n<a>\t<x>\n<b>\t<z>\n<a>\t_:n1\n<a>\t<y>\n", "values")
    assert several == {"<a>": ["<x>", "<y>"], "<b>": ["<z>"]}
    assert list(several) == ["<a>", "<b>"]  # the subjects in the order of the answer
    assert _table(b"?s\t?o\n", "values") == {}
    blank_subject = _table(b"?s\t?o\n_:b\t<x>\n_:b\t<y>\n<a>\t<z>\n", "values")
    assert blank_subject["<a>"] == ["<z>"]


def _one_process(runner: QueryRunner, graph: str, monkeypatch: pytest.MonkeyPatch) -> bytes:
    with monkeypatch.context() as patched:
        patched.setattr(bundle, "APART_FROM", float("inf"))
        patched.setattr(apart, "start", _never)
        return export_stix(runner, graph=graph, now=NOW).body()


def _fork_allowed() -> None:
    """Skip where an export does not fork: a thread another test left runs beside this one,
    or there is one processor."""
    if threading.active_count() != 1:
        pytest.skip(f"{threading.active_count()} threads run: an export makes every object here")
    if bundle.processors() < 2:
        pytest.skip("one processor: an export makes every object here")


def _never(make):
    raise AssertionError("an export forked where it had too little work for two")


@pytest.mark.parametrize("graph", [CURATED, IMPORT_GRAPH])
@pytest.mark.parametrize("cut", ["first", "middle", "last"])
def test_objects_made_by_two_processes_are_the_bundle_made_by_one(
    imported_runner, graph, cut, monkeypatch, caplog
):
    """A forked child making the last part of the objects (from the first step not made,
    half the work, or the last step) gives the bytes one process gives, and succeeds."""
    _fork_allowed()
    alone = _one_process(imported_runner, graph, monkeypatch)
    forks = []
    fork = apart.start

    def counted(make):
        forks.append(fork(make))
        return forks[-1]

    def split(making, done):
        middle = original(making, done)
        return {"first": done, "middle": middle, "last": making.steps() - 1}[cut]

    original = bundle._split
    monkeypatch.setattr(bundle, "APART_FROM", 0)
    monkeypatch.setattr(bundle, "_split", split)
    monkeypatch.setattr(apart, "start", counted)
    with caplog.at_level(logging.WARNING):
        together = export_stix(imported_runner, graph=graph, now=NOW).body()
    assert forks and None not in forks
    assert not caplog.records
    assert together == alone


def test_a_child_that_fails_is_reported_and_its_part_made_here(
    imported_runner, monkeypatch, caplog
):
    _fork_allowed()
    alone = _one_process(imported_runner, CURATED, monkeypatch)

    def failing(making, start, end):
        raise RuntimeError("no objects today")

    monkeypatch.setattr(bundle, "APART_FROM", 0)
    monkeypatch.setattr(bundle, "_listed", failing)
    with caplog.at_level(logging.WARNING):
        together = export_stix(imported_runner, now=NOW).body()
    assert together == alone
    assert "no objects today" in caplog.text


def test_a_child_reports_its_failure_and_its_objects():
    _fork_allowed()

    def failing():
        raise RuntimeError("no objects today")

    child = apart.start(failing)
    assert child is not None
    with pytest.raises(ExportError, match="no objects today"):
        child.collect()
    made = [
        Written("identity--x", IDENTITY, NOW, '{"name": "\u00e9t\u00e9"}'),
        Written("identity--y", ATTRIBUTED, NOW + timedelta(days=1), "{}"),
    ]
    child = apart.start(lambda: made)
    assert child is not None
    assert child.collect() == made
