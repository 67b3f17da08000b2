"""The SPARQL constraints evaluated in Python (:mod:`cybergov.contribute.sparql_evaluations`)
are held to their queries: each evaluation is in use for the text of the bundled shapes (a
constraint that changes fails here until its evaluation is looked at again), and every
solution an evaluation gives, or every node it says has none, is the query's, node by node,
on conforming and violating data; the results of a validation, and of an import, are the
same, in the same order, as with the queries alone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import partialmethod
from pathlib import Path

import pytest
from benchmarks.imports import write_synthetic_cfr
from pyoxigraph import DefaultGraph, Quad, RdfFormat
from pyoxigraph import NamedNode as OxNamedNode

from cybergov.contribute.compiled_shapes import CompiledShapes, _queried, _Shape, _Sparql, _View
from cybergov.contribute.intake import read_statements
from cybergov.contribute.sparql_evaluations import _EVALUATIONS, evaluation
from cybergov.contribute.staging import scratch_copy
from cybergov.contribute.validation import (
    DataStatements,
    compiled_shapes,
    data_statements,
    shapes_bundle,
)
from cybergov.importers.cfr import CfrImporter
from cybergov.importers.run import run_import
from cybergov.namespaces import CGSH
from cybergov.store.embedded import EmbeddedStore
from tests.conftest import PREFIXES
from tests.importers.conftest import CFR_FIXTURE

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "shapes").glob("*.ttl"))
TODAY = datetime.now(UTC).date()
LATER = (TODAY + timedelta(days=1)).isoformat()
NOW = TODAY.isoformat()
EARLIER = (TODAY - timedelta(days=1)).isoformat()

#: Data where the evaluations must tell solutions from none as the queries do: dates about
#: today in every form the query may read otherwise, dates of two types, rule-only terms once
#: and twice, disjoint types, records with and without their targets and culprits.
EDGES = f"""
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix malware: <https://w3id.org/cybergov/id/malware/> .
incident:edge-today a cg:Incident ; rdfs:label "Today"@en ; cg:targetCountry state:GB ;
  cg:startDate "{NOW}T00:00:00"^^xsd:dateTime ; cg:endDate "{NOW}"^^xsd:date .
incident:edge-tomorrow a cg:Incident ; rdfs:label "Tomorrow"@en ; cg:targetedActor group:apt28 ;
  cg:startDate "{LATER}T00:00:00"^^xsd:dateTime .
incident:edge-midnight a cg:Incident ; rdfs:label "Midnight"@en ;
  cg:startDate "{EARLIER}T24:00:00"^^xsd:dateTime .
incident:edge-zone a cg:Incident ; rdfs:label "Zone"@en ;
  cg:startDate "{NOW}T23:00:00-05:00"^^xsd:dateTime ; cg:endDate "{LATER}"^^xsd:date .
incident:edge-text a cg:Incident ; rdfs:label "Text"@en ; cg:startDate "{LATER} or so" ;
  cg:endDate "{LATER}"@en .
incident:edge-fraction a cg:Incident ; rdfs:label "Fraction"@en ;
  cg:startDate "2020-01-02T00:00:00.5"^^xsd:dateTime ;
  cg:endDate "2020-01-02T00:00:00.25"^^xsd:dateTime .
incident:edge-backwards a cg:Incident ; rdfs:label "Backwards"@en ;
  cg:startDate "2020-03-01T00:00:00"^^xsd:dateTime ;
  cg:endDate "2020-02-01T00:00:00"^^xsd:dateTime .
incident:edge-mixed a cg:Incident ; rdfs:label "Mixed"@en ;
  cg:startDate "2020-03-01"^^xsd:date ; cg:endDate "2020-02-01T00:00:00"^^xsd:dateTime .
incident:edge-invalid a cg:Incident ; rdfs:label "Invalid"@en ;
  cg:startDate "2020-02-30T00:00:00"^^xsd:dateTime ;
  cg:endDate "2020-02-29T00:00:00"^^xsd:dateTime .
incident:edge-campaign a cg:Incident ; rdfs:label "Campaign"@en ; cg:targetCountry state:GB ;
  cg:startDate "2001-01-01T00:00:00"^^xsd:dateTime ; cg:partOfCampaign incident:edge-today .
attribution:edge-early a cg:Attribution ; rdfs:label "Early"@en ;
  cg:attributedIncident incident:notpetya-2017 , incident:edge-today ;
  cg:attributionDate "2001-01-01T00:00:00"^^xsd:dateTime .
attribution:edge-late a cg:Attribution ; rdfs:label "Late"@en ; cg:attributedTo state:RU ;
  cg:attributedIncident incident:notpetya-2017 ;
  cg:attributionDate "2024-01-01T00:00:00"^^xsd:dateTime .
attribution:edge-territory a cg:Attribution ; rdfs:label "Territory"@en ;
  cg:attributedToTerritoryOf state:RU ; cg:attributionDate "{NOW}"^^xsd:date .
attribution:edge-derived a cg:Attribution , cg:DerivedAttribution ; rdfs:label "Derived"@en ;
  cg:derivedByRule "x" .
attribution:edge-twice a cg:DerivedAttribution , cg:DerivedClaim ; rdfs:label "Twice"@en ;
  cg:derivedByRule "x" ; cg:sponsoredBy state:RU ; cg:explanation "y"@en .
malware:edge-both a cg:Malware , cg:Document , cg:Incident ; rdfs:label "Both"@en .
group:edge-state a cg:ThreatActorGroup , cg:State ; rdfs:label "Group and state"@en .
group:edge-literal a cg:ThreatActorGroup , "cg:State" ; rdfs:label "Odd type"@en .
"""


def _read(text: bytes, store: EmbeddedStore) -> DataStatements:
    parsed = read_statements(text, format=RdfFormat.TURTLE, source="x")
    return data_statements(parsed.triples, store, shapes_bundle())


def _data_sets(store: EmbeddedStore) -> list[DataStatements]:
    found = [_read(path.read_bytes(), store) for path in EXAMPLES]
    found.append(_read((PREFIXES + EDGES).encode(), store))
    return found


def _compiled() -> CompiledShapes:
    compiled = compiled_shapes(shapes_bundle())
    assert compiled is not None
    return compiled


def _work(
    compiled: CompiledShapes, data: DataStatements
) -> tuple[_View, list[tuple[_Shape, list]]]:
    """The view of ``data`` and the SPARQL constraints to run, each shape with its focus nodes."""
    view = _View(data.index, compiled._ontology_index, list(data.focus))
    work: list[tuple[_Shape, list]] = []
    for shape in compiled.shapes:
        chosen = compiled._focus(shape, view)
        if chosen:
            compiled._validate(shape, view, chosen, work, [])
    return view, work


def test_every_evaluation_is_used_for_the_bundled_shapes():
    compiled = _compiled()
    constraints: dict[str, _Sparql] = {}
    todo = list(compiled.shapes)
    while todo:
        shape = todo.pop()
        constraints.update((str(c.node), c) for c in shape.sparql)
        todo.extend(shape.properties)
    for name in _EVALUATIONS:
        constraint = constraints.get(str(CGSH[name]))
        assert constraint is not None, f"no constraint cgsh:{name} in the shapes"
        assert constraint.evaluation is not None, f"cgsh:{name} changed: check its evaluation"


def test_a_changed_constraint_is_left_to_its_query():
    compiled = _compiled()
    target = next(
        c
        for shape in compiled.shapes
        for prop in (shape, *shape.properties)
        for c in prop.sparql
        if str(c.node) == str(CGSH["Incident-target"])
    )
    assert evaluation(str(target.node), target.text) is not None
    # Whitespace and comment lines aside, any change leaves the constraint to its query.
    assert evaluation(str(target.node), target.text.replace("\n", "\n  # note\n")) is not None
    assert evaluation(str(target.node), target.text.replace("targetCountry", "target")) is None
    assert evaluation(str(CGSH["Unknown"]), target.text) is None


def test_each_evaluation_answers_as_its_query_node_by_node(loaded_store):
    compiled = _compiled()
    decided = {name: 0 for name in _EVALUATIONS}
    solved = {name: 0 for name in _EVALUATIONS}
    for data in _data_sets(loaded_store):
        view, work = _work(compiled, data)
        store = compiled._ontology_store()
        graph = OxNamedNode("urn:example:data")
        store.extend(Quad(s, p, o, graph) for s, p, o in data.index.triples)
        dataset = [DefaultGraph(), graph]
        for shape, focus in work:
            for constraint in shape.sparql:
                if constraint.evaluation is None:
                    continue
                name = str(constraint.node).removeprefix(str(CGSH))
                answers = constraint.evaluation(view, focus)
                assert len(answers) == len(focus)
                for node, solutions in zip(focus, answers, strict=True):
                    if solutions is None:
                        continue
                    asked = _queried(lambda kept=store: kept, dataset, constraint, [node])
                    queried = [solution for _, solution in asked]
                    assert solutions == queried, (name, node)
                    decided[name] += 1
                    solved[name] += bool(solutions)
    # Every evaluation decided nodes, and those that can tell a solution told some.
    assert all(decided.values()), decided
    for name in ("Incident-target", "Attribution-responsible", "Resource-ruleOnlyClass"):
        assert solved[name], name
    assert solved["Resource-ruleOnlyProperty"], solved


def test_the_results_are_those_of_the_queries_alone(loaded_store):
    compiled = _compiled()
    found = 0
    for data in _data_sets(loaded_store):
        fast = compiled.validate(data.index, data.focus)
        reference = compiled.validate(data.index, data.focus, queries_only=True)
        assert fast == reference
        found += sum(r.constraint is not None for r in fast)
    assert found


def test_an_import_is_judged_as_with_the_queries_alone(
    loaded_store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Same counts, problems (the findings' words) and graph, on the fixture and on a
    synthetic file whose records the shapes refuse for several reasons."""
    synthetic = tmp_path / "synthetic.csv"
    write_synthetic_cfr(synthetic, 300)

    def outcome() -> list[tuple[object, ...]]:
        found = []
        for path in (CFR_FIXTURE, synthetic):
            store = scratch_copy(loaded_store)
            report = run_import(store, CfrImporter(), path, name="x", as_of=date(2025, 6, 1))
            problems = sorted(map(repr, report.problems))
            found.append((report.counts, problems, set(store.graph_triples(report.graph))))
        return found

    fast = outcome()
    monkeypatch.setattr(
        CompiledShapes, "validate", partialmethod(CompiledShapes.validate, queries_only=True)
    )
    assert outcome() == fast
    assert fast[1][0].refused  # type: ignore[attr-defined]
