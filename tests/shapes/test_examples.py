"""Every shape has a conforming and a violating example, validated as contributions are.

``<Shape>_PASS.ttl`` must conform and must give the shape something to check;
``<Shape>_XFAIL.ttl`` declares, in ``# expect: FOCUS PATH SHAPE`` lines, every
result it must produce (``-`` for no path; ``^p`` for an inverse path, ``p|q``
for alternatives): the results must be exactly those, no more, no fewer.
Examples are validated in the context of the bundled graph, so they point at
real resources (``state:RU``, ``incident:notpetya-2017``) without carrying them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import RdfFormat
from rdflib.namespace import RDF, RDFS

from cybergov.contribute.intake import parse_contribution
from cybergov.contribute.validation import shapes_bundle, validate_contribution
from cybergov.namespaces import PREFIXES, SH

EXAMPLES = Path(__file__).parent
TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)


def shape_names() -> list[str]:
    shapes = shapes_bundle().shapes
    return sorted(
        str(shape).split("#", 1)[1]
        for shape in {s for t in TARGETS for s in shapes.subjects(t, None)}
    )


def expand(token: str) -> str:
    """A prefixed name, ``<iri>``, ``^path`` or ``p|q`` of an expectation, in full."""
    if token == "-":
        return token
    if "|" in token:
        return "|".join(expand(part) for part in token.split("|"))
    if token.startswith("^"):
        return "^" + expand(token[1:])
    if token.startswith("<") and token.endswith(">"):
        return token[1:-1]
    prefix, _, local = token.partition(":")
    assert prefix in PREFIXES, f"unknown prefix in expectation: {token}"
    return PREFIXES[prefix] + local


def expectations(path: Path) -> Counter[tuple[str, str, str]]:
    found: Counter[tuple[str, str, str]] = Counter()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("# expect:"):
            tokens = line.removeprefix("# expect:").split()
            assert len(tokens) == 3, f"{path.name}:{number}: want FOCUS PATH SHAPE, got {line!r}"
            found[tuple(expand(t) for t in tokens)] += 1  # type: ignore[index]
    return found


def validate_example(path: Path, store):
    contribution = parse_contribution(path.read_bytes(), format=RdfFormat.TURTLE, source=path.name)
    return contribution, validate_contribution(contribution, store, source=path.name)


def fired(report) -> Counter[tuple[str, str, str]]:
    return Counter((f.focus, f.path or "-", f.shape) for f in report.findings)


def shape_iri(name: str) -> rdflib.URIRef:
    return rdflib.URIRef(PREFIXES["cgsh"] + name)


def targeted(shape: rdflib.URIRef, example: rdflib.Graph) -> set[rdflib.term.Node]:
    """The nodes of an example that a shape targets (subclasses included)."""
    bundle = shapes_bundle()
    nodes: set[rdflib.term.Node] = set()
    for target in bundle.shapes.objects(shape, SH.targetClass):
        classes = set(bundle.ontology.transitive_subjects(RDFS.subClassOf, target))
        nodes |= {s for c in classes for s in example.subjects(RDF.type, c)}
    for predicate in bundle.shapes.objects(shape, SH.targetSubjectsOf):
        nodes |= set(example.subjects(predicate, None))  # type: ignore[arg-type]
    for predicate in bundle.shapes.objects(shape, SH.targetObjectsOf):
        nodes |= set(example.objects(None, predicate))  # type: ignore[arg-type]
    return nodes


def test_every_shape_has_both_examples_and_no_example_is_orphaned():
    names = shape_names()
    wanted = {f"{name}_{kind}.ttl" for name in names for kind in ("PASS", "XFAIL")}
    present = {path.name for path in EXAMPLES.glob("*.ttl")}
    assert wanted - present == set(), "shapes without examples"
    assert present - wanted == set(), "examples of no shape"


@pytest.mark.parametrize("name", shape_names())
def test_pass_example_conforms_and_exercises_its_shape(name, loaded_store):
    path = EXAMPLES / f"{name}_PASS.ttl"
    contribution, report = validate_example(path, loaded_store)
    assert report.conforms, report.to_text()
    assert report.findings == ()
    assert targeted(shape_iri(name), contribution), f"{path.name} gives {name} nothing to check"


@pytest.mark.parametrize("name", shape_names())
def test_xfail_example_fires_exactly_what_it_declares(name, loaded_store):
    path = EXAMPLES / f"{name}_XFAIL.ttl"
    expected = expectations(path)
    assert expected, f"{path.name} declares no '# expect:' line"
    _, report = validate_example(path, loaded_store)
    assert not report.conforms
    assert fired(report) == expected, report.to_text()
    own = {str(shape_iri(name))} | {
        str(p) for p in shapes_bundle().shapes.objects(shape_iri(name), SH.property)
    }
    assert any(shape in own for _, _, shape in expected), (
        f"{path.name} never makes {name} (or one of its property shapes) fire"
    )
