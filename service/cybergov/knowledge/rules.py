"""Inference rules: SPARQL CONSTRUCT files applied to the store until nothing new follows.

Each rule writes into its own named graph, ``graph/inferred/<rule>``, so that
every inferred triple can be traced to the rule that made it; the loader
describes each of those graphs and rules in the metadata graph.

Rules come in two stages (the ``stage`` key of the header). The closure rules
(the OWL RL subset, the shortcuts of sourced records) run round after round
until nothing new follows. The derivation rules (derived attributions, pattern
matches, same-day coordinations) then run once each, over that closure and the
recorded facts only, so that each derived fact is written in one evaluation:
one label and one explanation, whatever the order of the rounds. A final
closure gives their results their superclasses and inverses. A derivation rule
may declare what its results for one record rest on (the ``reach`` key,
:mod:`cybergov.knowledge.reach`), so that a change is evaluated for the records
it touches only.

The rules are evaluated on a working copy whose default graph holds each
statement of the store once, whatever the number of graphs that hold it: the
union of the named graphs would match a statement held in k graphs k times,
and a rule that joins nine patterns on one subject would cost about k^9. The
derived facts are then written to the rules' graphs of the store. A deadline,
checked before each rule, stops a materialisation that would run too long.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Triple

from cybergov.errors import DataError, HeaderError, WriteTimeout
from cybergov.knowledge.reach import Reach, read_reach
from cybergov.namespaces import CGR, INFERRED_GRAPH_PREFIX, META_GRAPH, graph_iri
from cybergov.settings import data_folder
from cybergov.sparql.lexer import query_form
from cybergov.sparql.query_files import read_query_folder
from cybergov.store.base import Store
from cybergov.store.embedded import EmbeddedStore
from cybergov.store.factory import memory_store

log = logging.getLogger(__name__)

_REQUIRED = frozenset({"summary", "description"})
_ALLOWED = _REQUIRED | frozenset({"tags", "stage", "reach"})
CLOSURE = "closure"
DERIVATION = "derivation"
_STAGES = (CLOSURE, DERIVATION)


@dataclass(frozen=True, slots=True)
class Rule:
    """One inference rule, from ``queries/rules/<name>.rq``."""

    name: str
    sparql: str
    summary: str
    description: str
    path: Path
    stage: str = CLOSURE
    #: What the rule's results for one record rest on (derivation rules only).
    reach: Reach | None = None

    @property
    def iri(self) -> str:
        return f"{CGR}rule/{self.name}"

    @property
    def graph(self) -> str:
        return graph_iri("inferred", self.name)


@dataclass(frozen=True, slots=True)
class MaterialisationReport:
    """How many triples each rule added, in how many rounds and how long."""

    added: dict[str, int]
    rounds: int
    seconds: float
    #: What a change adds to each inferred graph of the store it changes, when the store
    #: materialised into received none of it
    #: (:func:`cybergov.knowledge.increment.materialise_change`); ``added`` counts the
    #: graphs whole.
    additions: dict[str, list[Triple]] | None = None

    @property
    def total(self) -> int:
        return sum(self.added.values())


def read_rules(folder: Path | None = None) -> list[Rule]:
    """The rules of ``queries/rules/``, sorted by name.

    Raises:
        HeaderError: a rule file has a bad ``#+`` header.
    """
    folder = folder or data_folder("queries") / "rules"
    rules = []
    for query in read_query_folder(folder, required=_REQUIRED, allowed=_ALLOWED):
        stage = str(query.header.get("stage", CLOSURE))
        if stage not in _STAGES:
            raise HeaderError(
                f"{query.path}: stage must be one of {', '.join(_STAGES)}, not {stage!r}"
            )
        reach = None
        if "reach" in query.header:
            if stage != DERIVATION:
                raise HeaderError(f"{query.path}: only a derivation rule declares its reach")
            reach = read_reach(query.header["reach"], query.sparql, str(query.path))
        rules.append(
            Rule(
                query.name,
                query.sparql,
                query.summary,
                query.description,
                query.path,
                stage,
                reach,
            )
        )
    return rules


#: The import graphs' IRIs begin so (:mod:`cybergov.importers.run`).
IMPORT_GRAPHS = graph_iri("import", "")


#: What the closure rules read beside the statements they join: the ontology's axioms.
_OWL = "http://www.w3.org/2002/07/owl#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
AXIOMS = tuple(
    NamedNode(p)
    for p in (
        f"{_RDFS}subClassOf",
        f"{_RDFS}subPropertyOf",
        f"{_OWL}inverseOf",
        f"{_OWL}propertyChainAxiom",
        f"{_RDF}first",
        f"{_RDF}rest",
    )
)
TYPE = NamedNode(f"{_RDF}type")
TRANSITIVE = NamedNode(f"{_OWL}TransitiveProperty")
#: A closure rule runs again on the neighbourhood of what is new to it only when that is at
#: most this many statements; else on the whole copy (gathering a neighbourhood costs a
#: Python object per statement, a query over the whole copy runs in the store; on the
#: bundled graph the two cost about the same for a thousand new statements).
NEIGHBOURHOOD_LIMIT = 1000


def _statements(store: Store, keep: Callable[[str], bool] | None = None) -> Iterator[Quad]:
    """The statements of the named graphs of ``store`` (those ``keep`` accepts)."""
    if isinstance(store, EmbeddedStore):
        for q in store.oxigraph.quads_for_pattern(None, None, None, None):
            graph = q.graph_name
            if keep is None or not isinstance(graph, NamedNode) or keep(graph.value):
                yield q
        return
    for name in store.named_graphs():
        if keep is None or keep(name):
            graph = NamedNode(name)
            for t in store.graph_triples(name):
                yield Quad(t.subject, t.predicate, t.object, graph)


def _not_derived(graph: str) -> bool:
    """The graphs a materialisation reads from another store: not its inferences, not its
    metadata (the store materialised into has the metadata that goes with them)."""
    return not graph.startswith(INFERRED_GRAPH_PREFIX) and graph != META_GRAPH


class _Working:
    """The distinct statements of a store, in the default graph of an in-memory copy; the
    import graphs are kept as named graphs too, for the rule that asks which import holds
    a record (``import-basis.rq``, the only rule with ``GRAPH``).

    Every statement a rule adds is logged; a closure rule that ran before is evaluated again
    only on the neighbourhood of what was added since (semi-naive evaluation, see
    :meth:`neighbourhood`)."""

    def __init__(
        self, statements: Iterable[Quad], deadline: float | None, *, semi_naive: bool = True
    ) -> None:
        self.semi_naive = semi_naive
        self.axioms: set[Quad] | None = None
        self.copy = memory_store()
        self.deadline = deadline
        self.log: list[Triple] = []
        self.seen: dict[str, int] = {}
        default = DefaultGraph()
        engine = self.copy.oxigraph
        named: list[Quad] = []

        def flattened() -> Iterator[Quad]:
            for q in statements:
                graph = q.graph_name
                if isinstance(graph, NamedNode) and graph.value.startswith(IMPORT_GRAPHS):
                    named.append(q)
                yield Quad(q.subject, q.predicate, q.object, default)

        engine.bulk_extend(flattened())
        engine.bulk_extend(named)

    def check_time(self, rule: Rule) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise WriteTimeout(
                f"the inference rules did not finish in time (stopped before {rule.name})"
            )

    def neighbourhood(self, new: list[Triple]) -> EmbeddedStore:
        """The part of the copy where whatever follows from ``new`` can be found.

        Every closure rule joins statements about one resource (a star: ``?link a ?kind ;
        cg:linkedActor ?actor``), or two statements through one resource (a chain:
        ``?a ?p ?b . ?b ?p ?c``), beside the ontology's axioms. A match that uses a new
        statement therefore lies within: the axioms; every statement about a resource that a
        new statement names; every statement that points at the subject of a new statement,
        and every statement about the resource it comes from. Each resource in the
        neighbourhood as a subject comes with all its statements, so a ``MINUS`` on it (an
        end date) and a count over it see what the whole copy holds."""
        engine = self.copy.oxigraph
        part = memory_store()
        target = part.oxigraph
        if self.axioms is None or any(t.predicate in AXIOMS for t in new):
            self.axioms = {q for p in AXIOMS for q in engine.quads_for_pattern(None, p, None, None)}
            self.axioms.update(engine.quads_for_pattern(None, TYPE, TRANSITIVE, None))
        quads = set(self.axioms)
        subjects = {t.subject for t in new}
        about = subjects | {t.object for t in new if not isinstance(t.object, Literal)}
        pointing = {
            q.subject for node in subjects for q in engine.quads_for_pattern(None, None, node, None)
        }
        for node in about | pointing:
            if isinstance(node, (NamedNode, BlankNode)):
                quads.update(engine.quads_for_pattern(node, None, None, None))
        target.bulk_extend(quads)
        return part

    def derive(self, rule: Rule) -> list[Triple]:
        """What the rule derives that the working copy does not hold yet (added to it)."""
        self.check_time(rule)
        engine = self.copy.oxigraph
        default = DefaultGraph()
        since = self.seen.get(rule.name)
        new_to_rule = self.log[since:] if since is not None else []
        if not self.semi_naive or since is None:
            found: Iterable[Triple] = self.copy.construct(rule.sparql)
        elif not new_to_rule:
            found = ()  # nothing new to this rule since it last ran
        elif len(new_to_rule) > NEIGHBOURHOOD_LIMIT:
            found = self.copy.construct(rule.sparql)
        else:
            found = self.neighbourhood(new_to_rule).construct(rule.sparql)
        new = {t for t in found if Quad(t.subject, t.predicate, t.object, default) not in engine}
        self.seen[rule.name] = len(self.log)
        engine.extend(Quad(t.subject, t.predicate, t.object, default) for t in new)
        self.log.extend(new)
        return list(new)


def _apply(store: Store, working: _Working, rule: Rule, added: dict[str, int]) -> int:
    new = store.add_triples(rule.graph, working.derive(rule))
    added[rule.name] += new
    return new


def _close(
    store: Store, working: _Working, rules: list[Rule], added: dict[str, int], max_rounds: int
) -> int:
    """Apply the closure rules round after round until a round adds nothing; the rounds."""
    for round_number in range(1, max_rounds + 1):
        added_this_round = sum(_apply(store, working, rule, added) for rule in rules)
        log.debug("inference round %d added %d triples", round_number, added_this_round)
        if added_this_round == 0:
            return round_number
    raise DataError(f"the inference rules reached no fixpoint in {max_rounds} rounds")


END_DATE = NamedNode("https://w3id.org/cybergov/ontology#endDate")


def _about_inferred(quad: Quad) -> bool:
    """A statement of the metadata graph about an inferred graph (a refresh drops those
    before the rules run)."""
    return isinstance(quad.subject, NamedNode) and quad.subject.value.startswith(
        INFERRED_GRAPH_PREFIX
    )


def _letters(triple: Triple) -> tuple[object, object, str]:
    value = triple.object
    return (
        triple.subject,
        triple.predicate,
        "".join(sorted(value.value)) if isinstance(value, Literal) else str(value),
    )


def _reordered(gone: set[Triple], new: set[Triple]) -> tuple[set[Triple], list[Triple]]:
    """What an earlier derivation loses and what is new to it, but for texts that only list
    the same names in another order (``GROUP_CONCAT`` lists them in the order the store
    holds them, which differs between a store and its working copy): those keep the
    text the store has."""
    renewed = {_letters(t): t for t in new}
    kept = {key for key in map(_letters, gone) if key in renewed}
    return (
        {t for t in gone if _letters(t) not in kept},
        [t for t in new if _letters(t) not in kept],
    )


def materialise_increment(
    store: Store,
    rules: list[Rule],
    *,
    source: Store,
    extra: Iterable[Quad],
    max_rounds: int = 50,
    deadline: float | None = None,
) -> MaterialisationReport | None:
    """The inferred graphs of ``source`` with what follows from the statements ``extra``
    added, written to ``store`` (which holds the metadata graph only), worked out from the
    inferences ``source`` holds rather than from nothing; ``None`` (and ``store``
    unchanged) when that cannot be done exactly, and a full materialisation must be.

    The closure rules start from the statements of ``extra`` as the only new ones (the
    inferred graphs of ``source`` are a fixpoint of them). The derivation rules are
    evaluated again over the recorded statements and their closure, without the earlier
    derivations and what the closure made of them (as in a full materialisation, where they
    do not exist yet); their results must hold every earlier derivation, else ``None`` (a
    derivation that changes, such as an explanation naming one attributor more, would need
    what the closure made of the old one taken away). ``extra`` that gives a resource of
    ``source`` an end date is also ``None``: an end date can take a shortcut away.
    """
    added_quads = list(extra)
    ended = {q.subject for q in added_quads if q.predicate == END_DATE}
    if any(source.ask(f"ASK {{ {subject} ?p ?o }}") for subject in ended):
        log.info("an end date is added to a resource of the store; inferences worked out again")
        return None
    started = time.perf_counter()
    old = {
        graph: set(source.graph_triples(graph))
        for graph in source.named_graphs()
        if graph.startswith(INFERRED_GRAPH_PREFIX)
    }
    meta = [q for q in _statements(store) if not _about_inferred(q)]
    inferred = (
        Quad(t.subject, t.predicate, t.object, NamedNode(g)) for g, ts in old.items() for t in ts
    )
    working = _Working(
        itertools.chain(meta, _statements(source, _not_derived), inferred, added_quads), deadline
    )
    closure = [rule for rule in rules if rule.stage == CLOSURE]
    derivations = [rule for rule in rules if rule.stage == DERIVATION]
    # The metadata graph is taken as new as a whole: it changes (the import's description)
    # and a store's first load describes the rules only after its inferences are worked out,
    # so what follows from their descriptions is not among them yet.
    working.log.extend(Triple(q.subject, q.predicate, q.object) for q in added_quads)
    working.log.extend(Triple(q.subject, q.predicate, q.object) for q in meta)
    working.seen.update(dict.fromkeys((rule.name for rule in closure), 0))
    found = memory_store()
    added = dict.fromkeys((rule.name for rule in rules), 0)
    rounds = _close(found, working, closure, added, max_rounds)
    derived = {t.subject for rule in derivations for t in old.get(rule.graph, ())}
    again = _Working(
        (
            q
            for q in working.copy.oxigraph.quads_for_pattern(None, None, None, None)
            if q.subject not in derived and q.object not in derived
        ),
        deadline,
        semi_naive=False,
    )
    default = DefaultGraph()
    engine = working.copy.oxigraph
    for rule in derivations:
        result = set(again.derive(rule))
        before = old.get(rule.graph, set())
        gone, new = _reordered(before - result, result - before)
        if gone:
            log.info("%s: earlier derivations change; inferences worked out again", rule.name)
            return None
        new = [t for t in new if Quad(t.subject, t.predicate, t.object, default) not in engine]
        engine.extend(Quad(t.subject, t.predicate, t.object, default) for t in new)
        working.log.extend(new)
        added[rule.name] += found.add_triples(rule.graph, new)
    rounds += 1 + _close(found, working, closure, added, max_rounds)
    for graph, triples in old.items():
        store.add_triples(graph, triples)
    for rule in rules:
        if rule.graph in found.named_graphs():
            store.add_triples(rule.graph, found.graph_triples(rule.graph))
        added[rule.name] += len(old.get(rule.graph, ()))
        if rule.graph in store.named_graphs() and store.graph_size(rule.graph) == 0:
            store.drop_graph(rule.graph)  # as materialise: no empty graph left behind
    log.info("inferences worked out from those of the store: %d in all", sum(added.values()))
    return MaterialisationReport(added, rounds, time.perf_counter() - started)


def materialise(
    store: Store,
    rules: list[Rule],
    *,
    max_rounds: int = 50,
    deadline: float | None = None,
    semi_naive: bool = True,
    source: Store | None = None,
    extra: Iterable[Quad] = (),
) -> MaterialisationReport:
    """Apply the closure rules to their fixpoint, each derivation rule once, then close again.

    The rules read the union of all graphs, including what earlier rules
    derived, so closure rules that build on each other reach their fixpoint.

    After its first round a closure rule is evaluated again only on what is new to it
    (:class:`_Working`); ``semi_naive`` false evaluates every rule on everything each round,
    as the reference the semi-naive evaluation is tested against (the same facts in the
    same graphs).

    With ``source``, the rules read the graphs of ``source`` too (but for its inferred graphs
    and its metadata graph), and the statements ``extra`` (with the graphs they are to be
    in): a change worked out for ``source`` without copying it, ``store`` holding only
    the metadata graph the change will give it.

    ``deadline`` is a time of :func:`time.monotonic`; the store is then left half
    derived, so a caller with a deadline works on a copy it can throw away.

    Raises:
        DataError: a rule is not a CONSTRUCT query, or no fixpoint is reached
            within ``max_rounds``.
        WriteTimeout: the deadline passed.
    """
    for rule in rules:
        if query_form(rule.sparql) != "CONSTRUCT":
            raise DataError(f"{rule.path}: an inference rule must be a CONSTRUCT query")
    started = time.perf_counter()
    statements = _statements(store)
    if source is not None:
        statements = itertools.chain(statements, _statements(source, _not_derived))
    working = _Working(itertools.chain(statements, extra), deadline, semi_naive=semi_naive)
    added = dict.fromkeys((rule.name for rule in rules), 0)
    closure = [rule for rule in rules if rule.stage == CLOSURE]
    rounds = _close(store, working, closure, added, max_rounds)
    derivations = [rule for rule in rules if rule.stage == DERIVATION]
    if derivations:
        for rule in derivations:
            _apply(store, working, rule, added)
        rounds += 1 + _close(store, working, closure, added, max_rounds)
    for rule in rules:  # a rule that derives nothing leaves no empty graph behind
        if rule.graph in store.named_graphs() and store.graph_size(rule.graph) == 0:
            store.drop_graph(rule.graph)
    return MaterialisationReport(added, rounds, time.perf_counter() - started)
