"""The closure rules evaluated in Python: used only for the texts they were written for."""

from __future__ import annotations

import dataclasses

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from cybergov.knowledge.rules import TYPE, read_rules
from cybergov.knowledge.schema import (
    INVERSE_OF,
    SUBCLASS_OF,
    SUBPROPERTY_OF,
    Schema,
    evaluation,
)

_EX = "https://example.org/"


def _n(name: str) -> NamedNode:
    return NamedNode(f"{_EX}{name}")


def test_the_bundled_rules_are_evaluated_in_python() -> None:
    """A rule file that changes is evaluated by its query again; this fails until the
    evaluation (and its fingerprint) is brought in line with the new text."""
    rules = {rule.name: rule for rule in read_rules()}
    for name in ("subclass", "subproperty", "inverse"):
        assert evaluation(rules[name]) is not None, name
    assert evaluation(rules["transitive"]) is None


def test_a_rule_whose_text_changes_is_evaluated_by_its_query() -> None:
    rule = next(rule for rule in read_rules() if rule.name == "subclass")
    assert (
        evaluation(dataclasses.replace(rule, sparql=f"# a comment\n\n  {rule.sparql}")) is not None
    )
    changed = rule.sparql.replace("FILTER(isIRI(?superclass))", "")
    assert evaluation(dataclasses.replace(rule, sparql=changed)) is None


def test_superclasses_through_chains_and_cycles_but_not_blank_nodes() -> None:
    blank = BlankNode()
    schema = Schema(
        [
            Triple(_n("A"), SUBCLASS_OF, _n("B")),
            Triple(_n("B"), SUBCLASS_OF, _n("C")),
            Triple(_n("C"), SUBCLASS_OF, _n("A")),
            Triple(_n("B"), SUBCLASS_OF, blank),
            Triple(blank, SUBCLASS_OF, _n("D")),
        ]
    )
    assert set(schema.above(SUBCLASS_OF, _n("A"))) == {_n("A"), _n("B"), _n("C"), _n("D")}
    assert schema.above(SUBCLASS_OF, _n("D")) == []
    assert schema.above(SUBPROPERTY_OF, _n("A")) == []


def test_each_evaluation_derives_from_the_statements_it_is_given() -> None:
    rules = {rule.name: rule for rule in read_rules()}
    schema = Schema(
        [
            Triple(_n("Unit"), SUBCLASS_OF, _n("Body")),
            Triple(_n("part"), SUBPROPERTY_OF, _n("within")),
            Triple(_n("part"), INVERSE_OF, _n("has")),
        ]
    )
    statements = [
        Triple(_n("x"), TYPE, _n("Unit")),
        Triple(_n("x"), _n("part"), _n("y")),
        Triple(_n("x"), _n("part"), Literal("not a resource")),
    ]

    def derived(name: str) -> set[Triple]:
        evaluate = evaluation(rules[name])
        assert evaluate is not None
        return set(evaluate(schema, statements))

    assert derived("subclass") == {Triple(_n("x"), TYPE, _n("Body"))}
    assert derived("subproperty") == {
        Triple(_n("x"), _n("within"), _n("y")),
        Triple(_n("x"), _n("within"), Literal("not a resource")),
    }
    assert derived("inverse") == {Triple(_n("y"), _n("has"), _n("x"))}
