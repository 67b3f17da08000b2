"""The CFR tracker importer on a synthetic export, into a real store."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cybergov.errors import ImportInputError, ImportNotFound
from cybergov.importers.cfr import CfrImporter
from cybergov.importers.context import read_context
from cybergov.importers.model import REFUSED, WITHOUT_TYPE_OR_TARGET, ImportReport, Verdict
from cybergov.importers.run import import_graph, list_imports, run_import, withdraw_import
from cybergov.knowledge.checks import read_checks, run_check
from cybergov.knowledge.load import refresh_inferences
from cybergov.namespaces import KG_GRAPH_PREFIX, META_GRAPH
from cybergov.store.embedded import EmbeddedStore
from tests.importers.conftest import CFR_FIXTURE

AS_OF = date(2025, 6, 1)
ID = "https://w3id.org/cybergov/id/"
GRAPH = import_graph("cfr", "synthetic")


def _import(store: EmbeddedStore, path: Path = CFR_FIXTURE, **options: object) -> ImportReport:
    return run_import(store, CfrImporter(), path, name="synthetic", as_of=AS_OF, **options)  # type: ignore[arg-type]


def _kg(store: EmbeddedStore) -> dict[str, int]:
    return {g: store.graph_size(g) for g in store.named_graphs() if g.startswith(KG_GRAPH_PREFIX)}


def _ask(store: EmbeddedStore, pattern: str) -> bool:
    prefixes = (
        f"PREFIX cg: <https://w3id.org/cybergov/ontology#> PREFIX id: <{ID}> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "PREFIX prov: <http://www.w3.org/ns/prov#> "
    )
    return store.ask(prefixes + f"ASK {{ {pattern} }}")


def test_rows_become_incidents_groups_and_reported_problems(store: EmbeddedStore) -> None:
    curated = _kg(store)
    report = _import(store)
    assert report.status == "imported"
    assert report.counts.rows == 20
    problems = {(p.row, p.field): p for p in report.problems}
    assert "territory (HK)" in problems["10", "Sponsor"].problem
    assert "Atlantis" in problems["12", "Sponsor"].problem
    assert problems["11", "Date"].action == REFUSED
    assert problems["13", "Title"].problem == "duplicate of row 9"
    assert problems["14", "Type"].action == REFUSED
    assert problems["15", "Sources_1"].action == "imported without that field"
    # victims that name no state: imported without a target, reported, not refused
    assert problems["17", "Victims"].action == WITHOUT_TYPE_OR_TARGET
    assert _ask(
        store,
        f"BIND(<{ID}incident/cfr-synthetic-attack-on-a-company-2022> AS ?i) "
        f"GRAPH <{GRAPH}> {{ ?i a cg:Incident }} FILTER NOT EXISTS {{ ?i cg:targetCountry ?c }}",
    )
    assert report.counts.refused == 3
    # the quality check on targets keeps to curated graphs: the import passes it
    check = next(c for c in read_checks() if c.name == "incident-target-violation")
    assert run_check(store, check).passed
    assert not [p for p in report.problems if "shapes" in p.problem]
    # the curated graph is never written
    assert _kg(store) == curated
    # two sponsors in one field: one attribution by the tracker to both states
    assert _ask(
        store,
        f"GRAPH <{GRAPH}> {{ ?a cg:attributedIncident ?i ; cg:attributedTo <{ID}state/CN> , "
        f"<{ID}state/RU> ; cg:attributedBy <{ID}cso/council-on-foreign-relations> ; "
        f"cg:attributionBasis <{ID}attribution-basis/tracker-coding> }}",
    )
    # the group row is a group with its sponsor, linked (not merged) to the curated group
    assert _ask(
        store,
        f"GRAPH <{GRAPH}> {{ <{ID}group/cfr-apt-28> a cg:ThreatActorGroup ; "
        f"skos:closeMatch <{ID}group/apt28> . ?link cg:linkedActor <{ID}group/cfr-apt-28> ; "
        f"cg:linkedTo <{ID}state/RU> }}",
    )


def test_confident_match_attaches_attribution_and_title_to_the_curated_incident(
    store: EmbeddedStore,
) -> None:
    report = _import(store)
    matched = {m.curated.rsplit("/", 1)[-1] for m in report.matches if m.verdict is Verdict.MATCHED}
    assert {"notpetya-2017", "wannacry-2017", "bundestag-hack-2015"} <= matched
    assert _ask(
        store,
        f'GRAPH <{GRAPH}> {{ <{ID}incident/notpetya-2017> skos:altLabel "NotPetya"@en . '
        f"<{ID}attribution/notpetya-2017--cfr> cg:attributedIncident <{ID}incident/notpetya-2017> }}",
    )
    # a weak resemblance is listed for review and not merged
    review = [m for m in report.matches if m.verdict is Verdict.REVIEW]
    assert [m.curated.rsplit("/", 1)[-1] for m in review] == ["ukraine-power-grid-2016"]
    assert review[0].record.endswith("/incident/cfr-attack-on-the-ukrainian-power-grid-2019")
    assert not _ask(
        store,
        f'<{ID}incident/ukraine-power-grid-2016> skos:altLabel "Attack on the Ukrainian power grid"@en',
    )


def test_same_file_twice_changes_nothing(store: EmbeddedStore) -> None:
    _import(store)
    before = set(store.oxigraph.quads_for_pattern(None, None, None, None))
    again = _import(store)
    assert again.status == "unchanged: nothing written"
    assert set(store.oxigraph.quads_for_pattern(None, None, None, None)) == before


def test_newer_version_replaces_the_graph(store: EmbeddedStore, tmp_path: Path) -> None:
    _import(store)
    lines = CFR_FIXTURE.read_text(encoding="utf-8").splitlines(keepends=True)
    newer = tmp_path / "newer.csv"
    newer.write_text("".join(line for line in lines if not line.startswith("Shamoon")))
    report = _import(store, newer)
    assert report.status == "imported"
    assert not _ask(store, f"GRAPH <{GRAPH}> {{ <{ID}attribution/shamoon-2012--cfr> ?p ?o }}")
    assert _ask(store, f"GRAPH <{GRAPH}> {{ <{ID}attribution/notpetya-2017--cfr> ?p ?o }}")
    assert [r.id for r in list_imports(store)] == ["cfr--synthetic"]


def test_derived_facts_name_the_import_and_withdraw_removes_them(store: EmbeddedStore) -> None:
    refresh_inferences(store, force=True)  # as every change of the store leaves them
    inferred = {g: store.graph_size(g) for g in store.named_graphs() if "/inferred/" in g}
    report = _import(store)
    assert report.derived_added > 0
    # the group named in the row is sponsored by China according to the tracker: derived
    assert _ask(
        store,
        f"?d a cg:DerivedAttribution ; cg:attributedTo <{ID}state/CN> ; "
        f"prov:wasDerivedFrom <{GRAPH}> ; cg:derivedFrom ?a . GRAPH <{GRAPH}> {{ ?a a cg:Attribution }}",
    )
    withdraw_import(store, "cfr--synthetic")
    assert GRAPH not in store.named_graphs()
    assert not _ask(store, f"GRAPH <{META_GRAPH}> {{ <{GRAPH}> ?p ?o }}")
    assert not _ask(store, f"?d prov:wasDerivedFrom <{GRAPH}>")
    after = {g: store.graph_size(g) for g in store.named_graphs() if "/inferred/" in g}
    assert after == inferred
    with pytest.raises(ImportNotFound):
        withdraw_import(store, "cfr--synthetic")


def test_dry_run_writes_nothing(store: EmbeddedStore) -> None:
    size = len(store)
    report = _import(store, dry_run=True)
    assert report.counts.made == 11
    assert len(store) == size


def test_a_reviewers_decision_survives_the_next_import(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    decisions = tmp_path / "decisions.yaml"
    decisions.write_text(
        "decisions:\n"
        "  - source: cfr\n"
        "    record: Attack on the Ukrainian power grid\n"
        "    curated: incident:ukraine-power-grid-2015\n"
        "    verdict: same\n"
        "  - source: cfr\n"
        "    record: NotPetya\n"
        "    curated: incident:notpetya-2017\n"
        "    verdict: different\n"
    )
    report = _import(store, decisions=decisions)
    verdicts = {m.title: (m.verdict, m.decided) for m in report.matches}
    assert verdicts["Attack on the Ukrainian power grid"] == (Verdict.MATCHED, True)
    assert "NotPetya" not in verdicts


def test_unreadable_input_is_an_error(store: EmbeddedStore, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,When\nx,y\n")
    with pytest.raises(ImportInputError, match="missing columns"):
        _import(store, bad)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ImportInputError, match="UTF-8"):
        _import(store, binary)


def test_an_import_is_matched_against_the_curated_graph_alone(store: EmbeddedStore) -> None:
    """The titles and attributions an import adds to curated incidents are its claims: the
    next import is not matched against them (else withdrawing one would change another)."""
    curated = read_context(store, as_of=AS_OF)
    _import(store)
    after_import = read_context(store, as_of=AS_OF)
    assert after_import.incidents == curated.incidents
    assert after_import.groups == curated.groups
