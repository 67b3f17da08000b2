"""The reach a derivation rule declares (its key and the paths from it), checked against
its text on the bundled graph: for each key alone, on a store of only what its paths
reach, the rule gives what it gives for that key on everything."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Quad, Triple

from cybergov.errors import HeaderError
from cybergov.knowledge.reach import Lookup, Node
from cybergov.knowledge.rules import DERIVATION, Rule, read_rules
from cybergov.namespaces import graph_iri
from cybergov.store.embedded import EmbeddedStore
from cybergov.store.factory import memory_store

_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_CG = "https://w3id.org/cybergov/ontology#"
_DERIVED_FROM = NamedNode(f"{_CG}derivedFrom")
_INCLUDES = NamedNode(f"{_CG}includesAttribution")
KEYED = [rule for rule in read_rules() if rule.reach is not None]


@pytest.fixture(scope="module")
def recorded(loaded_store: EmbeddedStore) -> EmbeddedStore:
    """The bundled graph but the derivations and every statement that names one: what the
    derivation rules read; and a curated coordination made up for the test (an example.org
    resource), which includes the attributions of the first same-day derivation (the
    graph has none of its own, and it takes those attributions away from the rule)."""
    derived = {
        t.subject
        for rule in read_rules()
        if rule.stage == DERIVATION
        for t in loaded_store.graph_triples(rule.graph)
    }
    store = memory_store()
    store.oxigraph.bulk_extend(
        q
        for q in loaded_store.oxigraph.quads_for_pattern(None, None, None, None)
        if q.subject not in derived and q.object not in derived
    )
    same_day = NamedNode(graph_iri("inferred", "same-day-attributions"))
    first = min(
        (q.subject for q in loaded_store.oxigraph.quads_for_pattern(None, None, None, same_day)),
        key=str,
    )
    included = loaded_store.oxigraph.quads_for_pattern(first, _INCLUDES, None, same_day)
    curated = NamedNode("https://example.org/coordination/made-up-for-a-test")
    graph = NamedNode(graph_iri("kg", "test"))
    store.oxigraph.add(Quad(curated, _TYPE, NamedNode(f"{_CG}CoordinatedAttribution"), graph))
    store.oxigraph.extend(Quad(curated, _INCLUDES, q.object, graph) for q in included)
    return store


def _lookup(store: EmbeddedStore) -> Lookup:
    def lookup(s: Node | None, p: NamedNode | None, o: Node | None) -> Iterable[Quad]:
        return store.oxigraph.quads_for_pattern(s, p, o, None)

    return lookup


def test_every_derivation_rule_declares_its_reach() -> None:
    assert {rule.name for rule in KEYED} == {
        rule.name for rule in read_rules() if rule.stage == DERIVATION
    }


@pytest.mark.parametrize("rule", KEYED, ids=lambda rule: rule.name)
def test_each_key_on_what_it_reaches_gives_what_everything_gives(
    recorded: EmbeddedStore, rule: Rule
) -> None:
    reach = rule.reach
    assert reach is not None
    everything = set(recorded.construct(rule.sparql))
    keys = sorted(
        (q.subject for q in recorded.oxigraph.quads_for_pattern(None, _TYPE, reach.kind, None)),
        key=str,
    )
    assert len(everything) > 20 and len(keys) > 20
    lookup = _lookup(recorded)
    found: set[Triple] = set()
    for key in dict.fromkeys(keys):
        assert isinstance(key, NamedNode)
        part = memory_store()
        part.oxigraph.bulk_extend(
            q
            for node in reach.reached([key, *reach.fixed], lookup)
            for q in recorded.oxigraph.quads_for_pattern(node, None, None, None)
        )
        result = set(part.construct(f"{rule.sparql}\nVALUES ?{reach.key} {{ {key} }}\n"))
        # every derived resource names its key, as the earlier derivations of a key are
        # found by it
        named = {t.subject for t in result if t.predicate == _DERIVED_FROM and t.object == key}
        assert all(t.subject in named for t in result)
        found |= result
    assert found == everything


@pytest.mark.parametrize("rule", KEYED, ids=lambda rule: rule.name)
def test_the_paths_followed_back_lead_to_the_key(recorded: EmbeddedStore, rule: Rule) -> None:
    reach = rule.reach
    assert reach is not None
    lookup = _lookup(recorded)
    keys = sorted(
        {q.subject for q in recorded.oxigraph.quads_for_pattern(None, _TYPE, reach.kind, None)},
        key=str,
    )
    for key in keys[:: max(1, len(keys) // 5)]:
        assert isinstance(key, NamedNode)
        for node in reach.reached([key], lookup):
            back = reach.reaching([node], lookup)
            assert back is not None and key in back


_RULE = """#+ summary: odd
#+ description: odd
#+ stage: {stage}
#+ reach: {reach}
PREFIX cg: <https://w3id.org/cybergov/ontology#>
CONSTRUCT {{ ?a cg:derivedFrom ?a }} WHERE {{ ?a a cg:Attribution }}
"""


@pytest.mark.parametrize(
    ("stage", "reach", "message"),
    [
        ("closure", "{key: a, class: cg:Attribution, paths: []}", "only a derivation rule"),
        ("derivation", "{key: a, paths: []}", "key, class and paths"),
        ("derivation", "{key: a, class: cg:Attribution, paths: [x:y]}", "declared prefix"),
        ("derivation", "{key: a, class: cg:Attribution, paths: [], via: []}", "unknown keys"),
    ],
)
def test_a_bad_reach_is_refused(tmp_path: Path, stage: str, reach: str, message: str) -> None:
    (tmp_path / "odd.rq").write_text(_RULE.format(stage=stage, reach=reach))
    with pytest.raises(HeaderError, match=message):
        read_rules(tmp_path)


def test_a_reach_is_read_with_the_rule_prefixes(tmp_path: Path) -> None:
    reach = "{key: a, class: cg:Attribution, paths: [cg:attributedTo, ^cg:linkedActor]}"
    (tmp_path / "odd.rq").write_text(_RULE.format(stage="derivation", reach=reach))
    (rule,) = read_rules(tmp_path)
    assert rule.reach is not None
    cg = "https://w3id.org/cybergov/ontology#"
    assert rule.reach.key == "a"
    assert rule.reach.forward == {NamedNode(f"{cg}attributedTo")}
    assert rule.reach.backward == {NamedNode(f"{cg}linkedActor")}
    assert NamedNode(f"{cg}derivedFrom") in rule.reach.reads


def test_a_walk_back_past_its_limit_gives_none(recorded: EmbeddedStore) -> None:
    (rule,) = [rule for rule in KEYED if rule.name == "attribution-chain"]
    assert rule.reach is not None
    state = NamedNode("https://w3id.org/cybergov/id/state/RU")
    back = rule.reach.reaching([state], _lookup(recorded))
    assert back is not None and len(back) > 10
    assert rule.reach.reaching([state], _lookup(recorded), limit=len(back)) == back
    assert rule.reach.reaching([state], _lookup(recorded), limit=len(back) - 1) is None
