"""The ontology: offline module resolution, header metadata, consistency under HermiT."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from cybergov.errors import OntologyImportError
from cybergov.knowledge.consistency import prove_consistency
from cybergov.knowledge.ontology import ontology_modules
from cybergov.namespaces import CG, ONTOLOGY_IRI
from cybergov.settings import data_folder

CC_BY = rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    graph = rdflib.Graph()
    for module in ontology_modules():
        graph.parse(module.path)
    return graph


def test_every_module_is_found_offline_and_declared():
    modules = ontology_modules()
    names = [m.name for m in modules]
    assert names[0] == "cybergov"
    assert {
        "actors",
        "instruments",
        "norms",
        "incidents",
        "attributions",
        "responses",
        "claims",
        "vocabularies",
        "core",
        "external",
    } <= set(names)
    assert all(m.path.is_file() for m in modules)


def test_root_has_version_prior_version_and_cc_by_licence(ontology):
    root = rdflib.URIRef(ONTOLOGY_IRI)
    assert (root, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(root, OWL.versionIRI) is not None
    assert ontology.value(root, OWL.priorVersion) is not None
    assert ontology.value(root, DCTERMS.license) == CC_BY


def test_every_module_has_a_version_iri_and_licence(ontology):
    for module in ontology_modules():
        iri = rdflib.URIRef(module.iri)
        assert ontology.value(iri, OWL.versionIRI) is not None, module.name
        assert ontology.value(iri, DCTERMS.license) == CC_BY, module.name


@pytest.mark.parametrize("kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty])
def test_every_cybergov_term_has_one_label_and_a_definition(ontology, kind):
    terms = [t for t in ontology.subjects(RDF.type, kind) if str(t).startswith(str(CG))]
    assert terms
    for term in terms:
        labels = [
            o for o in ontology.objects(term, RDFS.label) if getattr(o, "language", None) == "en"
        ]
        assert len(labels) == 1, term
        assert any(
            getattr(o, "language", None) == "en" for o in ontology.objects(term, SKOS.definition)
        ), term


def test_terms_are_named_by_convention(ontology):
    for term in ontology.subjects(RDF.type, OWL.Class):
        if str(term).startswith(str(CG)):
            assert str(term)[len(str(CG))][0].isupper(), term
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in ontology.subjects(RDF.type, kind):
            if str(term).startswith(str(CG)):
                assert str(term)[len(str(CG))][0].islower(), term
                assert str(term).isascii()


def test_the_model_covers_the_eu_approach(ontology):
    required_classes = [
        "State",
        "InternationalOrganisation",
        "RegionalOrganisation",
        "OrganisationBody",
        "Agency",
        "StateOrgan",
        "IntelligenceService",
        "MilitaryUnit",
        "Company",
        "CivilSocietyOrganisation",
        "ThreatActorGroup",
        "GroupAlias",
        "Person",
        "Treaty",
        "LegalAct",
        "PolicyFramework",
        "Report",
        "Declaration",
        "ExportControlRegime",
        "ExpertDocument",
        "Norm",
        "LegalPrinciple",
        "Position",
        "Incident",
        "Campaign",
        "Attribution",
        "JointAttribution",
        "DerivedAttribution",
        "Sanction",
        "Listing",
        "AttributionStatement",
        "Indictment",
        "Expulsion",
        "Demarche",
        "Countermeasure",
        "Advisory",
        "NormViolationClaim",
        "DerivedClaim",
        "AssertedClaim",
        "ToolboxMeasureCategory",
        "PolicyStrand",
        "Theme",
        "InferenceRule",
    ]
    for name in required_classes:
        assert (CG[name], RDF.type, OWL.Class) in ontology, name


def copy_ontology(tmp_path: Path) -> Path:
    target = tmp_path / "ontology"
    shutil.copytree(data_folder("ontology"), target)
    return target


def test_a_missing_module_fails_loudly(tmp_path):
    folder = copy_ontology(tmp_path)
    (folder / "modules" / "claims.ttl").unlink()
    with pytest.raises(OntologyImportError, match=r"claims.*does not exist"):
        ontology_modules(folder)


def test_an_external_import_is_refused(tmp_path):
    folder = copy_ontology(tmp_path)
    root = folder / "cybergov.ttl"
    root.write_text(
        root.read_text()
        + "\n<https://w3id.org/cybergov/ontology> owl:imports <http://www.w3.org/ns/prov-o> .\n"
    )
    with pytest.raises(OntologyImportError, match="not a cybergov module"):
        ontology_modules(folder)


def test_a_module_file_nobody_imports_is_reported(tmp_path):
    folder = copy_ontology(tmp_path)
    (folder / "modules" / "stray.ttl").write_text("")
    with pytest.raises(OntologyImportError, match="stray not imported"):
        ontology_modules(folder)


@pytest.mark.slow
def test_the_ontology_is_consistent_with_no_unsatisfiable_class():
    report = prove_consistency()
    assert report.consistent
    assert report.unsatisfiable == []
    assert report.classes >= 60


@pytest.mark.slow
def test_the_reasoner_finds_an_unsatisfiable_class(tmp_path):
    folder = copy_ontology(tmp_path)
    claims = folder / "modules" / "claims.ttl"
    claims.write_text(claims.read_text() + "\ncg:AssertedClaim rdfs:subClassOf cg:DerivedClaim .\n")
    report = prove_consistency(ontology_modules(folder))
    assert not report.ok
    assert "https://w3id.org/cybergov/ontology#AssertedClaim" in report.unsatisfiable


@pytest.mark.slow
def test_the_reasoner_finds_an_inconsistency(tmp_path):
    folder = copy_ontology(tmp_path)
    vocabularies = folder / "modules" / "vocabularies.ttl"
    vocabularies.write_text(
        vocabularies.read_text()
        + "\n<https://w3id.org/cybergov/id/x> a <https://w3id.org/cybergov/ontology#AssertedClaim> , "
        "<https://w3id.org/cybergov/ontology#DerivedClaim> .\n"
    )
    report = prove_consistency(ontology_modules(folder))
    assert not report.consistent
