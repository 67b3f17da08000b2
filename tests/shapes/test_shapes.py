"""The shapes are valid SHACL, say in words what they check, stay in step with the ontology,
and the bundled graph passes them."""

from __future__ import annotations

import re

import pytest
import rdflib
from pyoxigraph import RdfFormat
from rdflib.collection import Collection
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS

from cybergov.contribute.intake import IntakeLimits, parse_contribution, to_rdflib_term
from cybergov.contribute.validation import (
    CONTEXT_PROPERTIES,
    shapes_bundle,
    validate_contribution,
    validate_shapes_graph,
)
from cybergov.errors import OutsideNamespace
from cybergov.namespaces import CG, CGR, CGSH, INFERRED_GRAPH_PREFIX, ORG, SH
from cybergov.settings import data_root

#: Violations of the curated graph that are errors in its data, reported to its maintainers;
#: each is (file, focus, path, shape). The test fails when one of them no longer occurs, so
#: that the entry is removed once the data is fixed.
KNOWN_DATA_ERRORS: set[tuple[str, str, str, str]] = set()

#: Classes no contributor sends: made by the rules, or terms of the ontology's own schemes.
NOT_CONTRIBUTED = {
    CG.DerivedAttribution,
    CG.DerivedClaim,
    CG.DerivedCoordinatedAttribution,
    CG.NormPatternMatch,
    CG.InferenceRule,
}

XSD_DATETIME = rdflib.URIRef("http://www.w3.org/2001/XMLSchema#dateTime")
CALENDAR_DAY = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T00:00:00$"

SHAPE_VALUED = (SH.node, SH["or"], SH["and"], SH["not"], SH.xone, SH.qualifiedValueShape)


def shapes() -> rdflib.Graph:
    return shapes_bundle().shapes


def ontology() -> rdflib.Graph:
    return shapes_bundle().ontology


def label(term: rdflib.term.Node) -> str | None:
    builtin = {RDF.type: "type", RDFS.label: "label", OWL.sameAs: "same as"}
    if term in builtin:
        return builtin[term]  # type: ignore[index]
    value = ontology().value(term, RDFS.label)
    return str(value) if value is not None else None


def test_the_shapes_pass_the_shacl_meta_shapes():
    conforms, text = validate_shapes_graph()
    assert conforms, text


def test_no_shape_nests_shapes():
    """Validation in context restricts pySHACL to the contribution's nodes (``focus_nodes``),
    and pySHACL applies that restriction to nested shapes too: a nested shape would never see
    a linked resource and would pass silently. So the shapes use none."""
    used = {str(p) for p in SHAPE_VALUED for _ in shapes().subject_objects(p)}
    assert used == set()


def property_shapes() -> list[rdflib.term.Node]:
    return sorted(shapes().subjects(RDF.type, SH.PropertyShape))


def path_properties(path: rdflib.term.Node) -> list[rdflib.term.Node]:
    if isinstance(path, rdflib.URIRef):
        return [path]
    inverse = shapes().value(path, SH.inversePath)
    if inverse is not None:
        return path_properties(inverse)
    alternatives = shapes().value(path, SH.alternativePath)
    return [p for item in Collection(shapes(), alternatives) for p in path_properties(item)]


@pytest.mark.parametrize("shape", property_shapes(), ids=lambda s: str(s).split("#")[-1])
def test_each_property_shape_says_in_words_which_property_by_its_label(shape):
    message = shapes().value(shape, SH.message)
    assert message is not None and message.language == "en"
    for prop in path_properties(shapes().value(shape, SH.path)):
        name = label(prop)
        assert name, f"{prop} has no label in the ontology"
        assert f"({name})" in str(message), f"the message of {shape} does not name ({name})"


def sparql_constraints() -> list[rdflib.term.Node]:
    return sorted(shapes().subjects(RDF.type, SH.SPARQLConstraint))


@pytest.mark.parametrize("constraint", sparql_constraints(), ids=lambda s: str(s).split("#")[-1])
def test_each_sparql_constraint_names_its_property_and_says_what_it_expects(constraint):
    text = str(shapes().value(constraint, SH.select))
    message = str(shapes().value(constraint, SH.message))
    assert shapes().value(constraint, RDFS.comment) is not None, "expected, in words"
    if "({?pathName})" in message:  # the property varies: the message names the one at fault
        assert re.search(r"\?pathName\b", text) and re.search(r"\?path\b", text)
        return
    bound = re.search(r"BIND\((\w+):(\w+) AS \?path\)", text)
    assert bound, f"{constraint} does not bind ?path, so its results name no property"
    prefix, local = bound.groups()
    name = label(rdflib.URIRef({"cg": str(CG), "rdf": str(RDF)}[prefix] + local))
    assert f"({name})" in message


def value_lists() -> list[tuple[rdflib.term.Node, list[rdflib.term.Node]]]:
    return [
        (shape, list(Collection(shapes(), values)))
        for shape, values in shapes().subject_objects(SH["in"])
    ]


@pytest.mark.parametrize("shape,values", value_lists(), ids=lambda v: str(v).split("#")[-1][:40])
def test_each_value_list_is_exactly_one_scheme_of_the_vocabularies(shape, values):
    schemes = {s for value in values for s in ontology().objects(value, SKOS.inScheme)}
    assert len(schemes) == 1, f"{shape} mixes the schemes {schemes}"
    scheme = schemes.pop()
    members = set(ontology().subjects(SKOS.inScheme, scheme))
    assert set(values) == members, f"add or remove in {shape}: {members ^ set(values)}"


def test_every_date_property_is_checked_as_a_calendar_day_at_midnight():
    """OWL 2 DL has no xsd:date: a day is an xsd:dateTime at midnight, without a time zone."""
    instants = {PROV.generatedAtTime, PROV.invalidatedAtTime}  # times of records, not days
    dated = set(ontology().subjects(RDFS.range, XSD_DATETIME)) - instants
    date_shapes = set(shapes().subjects(SH.datatype, XSD_DATETIME))
    checked = {shapes().value(shape, SH.path) for shape in date_shapes}
    assert dated - checked == set()
    for shape in date_shapes:
        assert str(shapes().value(shape, SH.pattern)) == CALENDAR_DAY, shape


def test_the_closed_resource_shape_allows_exactly_the_ontology_properties():
    declared = {
        p
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
        for p in ontology().subjects(RDF.type, kind)
    }
    allowed = set(
        Collection(
            shapes(),
            shapes().value(
                rdflib.URIRef("https://w3id.org/cybergov/shapes#ResourceShape"),
                SH.ignoredProperties,
            ),
        )
    )
    extra = {RDF.type, RDFS.label, RDFS.comment, RDFS.seeAlso, OWL.sameAs}
    assert allowed == declared | extra, (
        "keep sh:ignoredProperties of cgsh:ResourceShape (shapes/common.ttl) equal to the "
        f"ontology's properties; differs by {allowed ^ (declared | extra)}"
    )


def test_every_link_of_the_ontology_must_point_at_a_known_resource():
    links = set(ontology().subjects(RDF.type, OWL.ObjectProperty))
    targeted = set(
        shapes().objects(
            rdflib.URIRef("https://w3id.org/cybergov/shapes#KnownResourceShape"),
            SH.targetObjectsOf,
        )
    )
    assert targeted == links, (
        "keep sh:targetObjectsOf of cgsh:KnownResourceShape (shapes/common.ttl) equal to the "
        f"ontology's object properties; differs by {targeted ^ links}"
    )


def test_every_class_a_contributor_may_send_has_a_shape():
    targeted = set(shapes().objects(None, SH.targetClass))
    concept_like = set(ontology().transitive_subjects(RDFS.subClassOf, SKOS.Concept)) - {
        CG.Norm,
        SKOS.Concept,
    }
    graphs = set(ontology().transitive_subjects(RDFS.subClassOf, CG.KnowledgeGraph))
    contributed = (
        {c for c in ontology().subjects(RDF.type, OWL.Class) if str(c).startswith(str(CG))}
        - concept_like
        - graphs
        - NOT_CONTRIBUTED
    )
    contributed |= {ORG.Membership}
    uncovered = {
        c
        for c in contributed
        if not (set(ontology().transitive_objects(c, RDFS.subClassOf)) & targeted)
    }
    assert uncovered == set()


@pytest.mark.parametrize("path", sorted((data_root() / "kg").glob("*.ttl")), ids=lambda p: p.name)
def test_each_curated_file_passes_the_shapes_as_a_contribution(path, loaded_store):
    """Each file of kg/ is validated as a contribution would be, in the context of the loaded
    store (the ontology, every other file and the inferences)."""
    contribution = parse_contribution(
        path.read_bytes(),
        format=RdfFormat.TURTLE,
        source=path.name,
        limits=IntakeLimits(max_bytes=50_000_000),
    )
    report = validate_contribution(contribution, loaded_store, source=path.name)
    found = {(path.name, f.focus, f.path or "-", f.shape) for f in report.findings}
    known = {entry for entry in KNOWN_DATA_ERRORS if entry[0] == path.name}
    assert found - known == set(), report.to_text()
    assert known - found == set(), "fixed in kg/: remove it from KNOWN_DATA_ERRORS"


def test_sparql_constraints_read_of_linked_resources_only_what_the_context_holds():
    """Validation in context fetches a few properties of linked resources (CONTEXT_PROPERTIES)
    and the links the shapes follow backwards; a constraint that read anything else of a
    linked resource would pass in context and fail on the whole graph."""
    bundle = shapes_bundle()
    # The ontology is part of the data graph: the terms' own axioms may be read.
    ontology_terms = {
        str(RDFS.subClassOf),
        str(CG.ruleOnly),
        str(OWL.disjointWith),
        str(OWL.members),
        str(RDF.first),
        str(RDF.rest),
    }
    context = {str(p) for p in CONTEXT_PROPERTIES} | ontology_terms
    backwards = {str(p) for p in bundle.inverse_links}
    names = {"a": str(RDF.type), "cg": str(CG), "rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}
    for constraint in sparql_constraints():
        text = str(shapes().value(constraint, SH.select))
        for variable, name, rest in re.findall(r"\?(\w+)\s+(a\b|\w+:\w+)([^.;}]*)", text):
            prefix, _, local = name.partition(":")
            predicate = names[name] if name == "a" else names[prefix] + local
            allowed = context | (backwards if "$this" in rest else set())
            assert predicate in allowed, f"{constraint} reads {name} of ?{variable}"


#: What a recorded attribution needs and a derived one, being the rule's, never has.
RECORDED_ONLY = {
    str(CG[name])
    for name in (
        "attributedBy",
        "attributionBasis",
        "attributionDate",
        "attributionStatus",
        "confidence",
    )
}


def rule_only(finding) -> bool:
    """Whether a finding is the refusal of a term that only the rules write."""
    terms = {str(term) for term in ontology().subjects(CG.ruleOnly, None)}
    if finding.shape != str(CGSH.ResourceShape):
        return False
    if finding.path == str(RDF.type):
        return (finding.value or "").strip("<>") in terms
    return finding.path in terms


def test_the_inferences_pass_the_shapes_as_a_contribution(loaded_store):
    """The facts the rules derive (derived attributions, pattern matches, same-day
    coordinations, inferred types and links) pass the shapes too, in the context of the
    store; sent as a contribution, they are refused only because they use what only
    the rules may write."""
    inferred = rdflib.Graph()
    for name in loaded_store.named_graphs():
        if name.startswith(INFERRED_GRAPH_PREFIX):
            for triple in loaded_store.graph_triples(name):
                inferred.add(
                    (
                        to_rdflib_term(triple.subject),  # type: ignore[arg-type]
                        to_rdflib_term(triple.predicate),
                        to_rdflib_term(triple.object),  # type: ignore[arg-type]
                    )
                )
    assert (None, RDF.type, CG.DerivedAttribution) in inferred
    assert (None, RDF.type, CG.NormPatternMatch) in inferred
    assert (None, RDF.type, CG.DerivedCoordinatedAttribution) in inferred
    # What the rules say of graphs and terms (not resources) no contribution may say at all.
    with pytest.raises(OutsideNamespace):
        validate_contribution(inferred, loaded_store, source="inferred")
    for subject in set(inferred.subjects()):
        if not str(subject).startswith(str(CGR)):
            inferred.remove((subject, None, None))
    report = validate_contribution(inferred, loaded_store, source="inferred")
    assert any(rule_only(f) for f in report.findings)
    derived = {str(s) for s in inferred.subjects(RDF.type, CG.DerivedAttribution)}
    found = {
        ("inferred", f.focus, f.path or "-", f.shape)
        for f in report.findings
        if not rule_only(f) and not (f.focus in derived and f.path in RECORDED_ONLY)
    }
    known = {entry for entry in KNOWN_DATA_ERRORS if entry[0] == "inferred"}
    assert found == known, report.to_text()


@pytest.mark.parametrize("kind", ["Class", "Property"])
def test_the_rule_only_shapes_list_exactly_the_rule_only_terms_of_the_ontology(kind):
    """The validator does not copy annotations into the data graph, so the shapes name the
    terms that only the rules write; they must be those the ontology marks cg:ruleOnly."""
    marked = set(ontology().subjects(CG.ruleOnly, None))
    classes = {t for t in marked if (t, RDF.type, OWL.Class) in ontology()}
    wanted = classes if kind == "Class" else marked - classes
    text = str(shapes().value(CGSH[f"Resource-ruleOnly{kind}"], SH.select))
    listed = {
        CG[name]
        for name in re.findall(r"cg:(\w+)", text.split("IN (", 1)[1].split(")", maxsplit=1)[0])
    }
    assert listed == wanted
