"""The inferences of an embedded store changed by new statements, worked out from those it
holds without copying it.

A store whose inferred graphs are current holds a fixpoint of the closure rules and the
results of the derivation rules (:mod:`cybergov.knowledge.rules`). New statements (an
import's graph and the metadata graph that describes it) change that fixpoint only near
them. The rules are therefore evaluated on small working stores, parts of the *union*:
the statements of the store (but its metadata graph, which the change replaces), the new
metadata graph, the new statements and what has been derived from them. The store is read
through its indexes, never copied; the statements are kept in their graphs (see
:class:`_Union`).

* The closure rules run round after round, each rule in its turn (as in a full
  materialisation) on a part of the union that holds the neighbourhood (:class:`_Part`) of
  every statement that is new to it, until a round adds nothing.
* The derivation rules read the union but for the earlier derivations and what the closure
  made of them (as in a full materialisation, where they do not exist yet). A rule that
  declares its reach (:mod:`cybergov.knowledge.reach`) is evaluated only for the keys the
  change touches (those from which its paths reach the subject of a statement the change
  adds or takes away), on a store of what their paths reach, with ``VALUES`` on them; its
  earlier results for those keys (the resources ``cg:derivedFrom`` them) must come out
  again, the others stand. A rule without a reach, or one whose touched keys are many, is
  evaluated on everything, and its results must hold every earlier derivation.
* A final closure starts from the new derivations.

When that would not be exact the answer is ``None`` and the caller works everything out
from nothing: the new statements state an axiom (a subclass, a subproperty, an inverse, a
property chain, a transitive property: what follows reaches statements far from them), or
an end date of a resource the store holds (an end date takes a shortcut away), or an
earlier derivation changes (what the closure made of it would have to be taken away).
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Iterable, Iterator, Sequence

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, Triple

from cybergov.errors import DataError, WriteTimeout
from cybergov.knowledge.reach import Reach
from cybergov.knowledge.rules import (
    AXIOMS,
    CLOSURE,
    DERIVATION,
    END_DATE,
    TRANSITIVE,
    TYPE,
    MaterialisationReport,
    Rule,
)
from cybergov.knowledge.schema import Schema, evaluation
from cybergov.namespaces import INFERRED_GRAPH_PREFIX, META_GRAPH
from cybergov.store.batch import GraphBatch
from cybergov.store.embedded import EmbeddedStore
from cybergov.store.factory import memory_store

log = logging.getLogger(__name__)

_DEFAULT = DefaultGraph()
_META = NamedNode(META_GRAPH)
DERIVED_FROM = NamedNode("https://w3id.org/cybergov/ontology#derivedFrom")
#: A derivation rule runs for the keys a change touches when they are at most one in this
#: many of the keys the union holds, else on everything: on the bundled graph, the two
#: cost about the same when a change touches two keys in three (a 2,000-row import), and
#: what the paths of each key reach is gathered in Python, a query of everything runs in
#: the store.
KEYS_SHARE = 4
#: The paths are followed back from a change to at most one resource for this many
#: statements of the store, else the rule runs on everything (a large import into a small
#: store: a 20,000-row import into the bundled graph reaches 28,000 resources back, for
#: 34,000 statements).
WALK_SHARE = 10
_Node = NamedNode | BlankNode
_AXIOMS = frozenset(AXIOMS)
#: The predicates of the statements :meth:`_Union.check` looks at.
_WATCHED = _AXIOMS | {TYPE, END_DATE}


class _NotExact(Exception):
    """The change cannot be worked out exactly from the store's inferences."""


def _flat(triple: Triple) -> Quad:
    return Quad(triple.subject, triple.predicate, triple.object, _DEFAULT)


class _Union:
    """The statements the rules read once the change is made: those of ``source`` but its
    metadata graph, and ``added`` (the new metadata graph and the new statements, in
    their graphs; what has been derived since, in the default graph).

    ``added`` also takes in statements of ``source`` that the rules are evaluated on
    beside it (it serves as the part of the first closure and as the store the derivation
    rules read, see :class:`_Part` and :meth:`_Readable.everything`): the union is the
    same, a statement of ``source`` is only found twice. What the change adds is kept
    apart, in ``new``.

    Statements are kept in their graphs (the rules read the union of the graphs, and the
    rule that asks which import holds a record reads the import graphs): a statement held
    in two graphs is matched twice, which changes no rule's result (their counts and
    lists are of distinct values), only its cost."""

    def __init__(
        self, source: EmbeddedStore, meta: list[Quad], extra: list[Quad] | GraphBatch
    ) -> None:
        self.source = source.oxigraph
        self.added = memory_store()
        engine = self.added.oxigraph
        engine.bulk_extend(meta)
        if isinstance(extra, GraphBatch):  # (its statements stay triples: no quad is made)
            extra.load(engine)
            self.new: list[Quad | Triple] = [*meta, *extra.triples]
        else:
            engine.bulk_extend(extra)
            self.new = [*meta, *extra]
        self._axioms: list[Quad] | None = None

    def holds(self, triple: Triple) -> bool:
        s, p, o = triple.subject, triple.predicate, triple.object
        if next(self.added.oxigraph.quads_for_pattern(s, p, o, None), None) is not None:
            return True
        return any(q.graph_name != _META for q in self.source.quads_for_pattern(s, p, o, None))

    def about(self, node: _Node) -> Iterator[Quad]:
        """Every statement about ``node``."""
        yield from self.about_in_source(node)
        yield from self.added.oxigraph.quads_for_pattern(node, None, None, None)

    def about_in_source(self, node: _Node) -> Iterator[Quad]:
        """Every statement of ``source`` about ``node``."""
        for q in self.source.quads_for_pattern(node, None, None, None):
            if q.graph_name != _META:
                yield q

    def pointing(self, node: _Node, *, in_source: bool = False) -> Iterator[_Node]:
        """The subjects of the statements that point at ``node`` (of ``source`` only, with
        ``in_source``)."""
        for q in self.source.quads_for_pattern(None, None, node, None):
            if q.graph_name != _META and isinstance(q.subject, (NamedNode, BlankNode)):
                yield q.subject
        if in_source:
            return
        for q in self.added.oxigraph.quads_for_pattern(None, None, node, None):
            if isinstance(q.subject, (NamedNode, BlankNode)):
                yield q.subject

    def axioms(self) -> list[Quad]:
        """The ontology's axioms the closure rules read beside the statements they join."""
        if self._axioms is None:
            patterns = [(None, p, None) for p in AXIOMS] + [(None, TYPE, TRANSITIVE)]
            self._axioms = [
                q
                for s, p, o in patterns
                for engine in (self.source, self.added.oxigraph)
                for q in engine.quads_for_pattern(s, p, o, None)
                if q.graph_name != _META
            ]
        return self._axioms

    def add(self, triples: list[Triple]) -> None:
        """Take in derived statements (into the default graph)."""
        self.added.oxigraph.extend(_flat(t) for t in triples)
        self.new += triples

    def check(self, triples: Iterable[Triple | Quad]) -> None:
        """Raises :class:`_NotExact` when ``triples`` state an axiom, or an end date of a
        resource the store holds."""
        for t in triples:
            predicate = t.predicate  # (each read of a term makes an object)
            if predicate not in _WATCHED:
                continue
            if predicate in _AXIOMS or (predicate == TYPE and t.object == TRANSITIVE):
                raise _NotExact(f"a new statement is an axiom: {t}")
            if predicate == END_DATE and next(
                self.source.quads_for_pattern(t.subject, None, None, None), None
            ):
                raise _NotExact(f"an end date is added to {t.subject}, which the store holds")


class _Part:
    """A part of the union where whatever follows from some statements can be found.

    Every closure rule joins statements about one resource (a star: ``?link a ?kind ;
    cg:linkedActor ?actor``), or two statements through one resource (a chain: ``?a ?p ?b .
    ?b ?p ?c``), beside the ontology's axioms. A match that uses a statement therefore lies
    within its *neighbourhood*: the axioms; every statement about a resource it names;
    every statement that points at its subject, and every statement about the resource
    that statement comes from. Each resource that is a subject in the part comes with all
    its statements, so a ``MINUS`` on it (an end date) and a count over it see what the
    union holds; what is derived is added to the union and to the part, with its own
    neighbourhood.

    The part of every statement the union adds (:meth:`of_everything_added`) is the
    union's ``added`` store itself, with the neighbourhood it has in ``source``: the
    statements are not copied once more."""

    def __init__(self, union: _Union, store: EmbeddedStore | None = None) -> None:
        self.union = union
        self.inside = store is not None
        self.store = store or memory_store()
        self.store.oxigraph.bulk_extend(union.axioms())
        self.described: set[_Node] = set()
        self.pointed: set[_Node] = set()

    @classmethod
    def of_everything_added(cls, union: _Union) -> _Part:
        """The part of every statement ``union`` adds, made in its ``added`` store."""
        part = cls(union, union.added)
        part.cover(union.new)
        return part

    def cover(self, triples: Iterable[Triple | Quad]) -> None:
        """Take in the neighbourhood of ``triples`` (already in the union)."""
        subjects: set[_Node] = set()
        about: set[_Node] = set()
        for t in triples:
            subjects.add(t.subject)  # type: ignore[arg-type]
            node = t.object
            if isinstance(node, (NamedNode, BlankNode)):
                about.add(node)
        for subject in subjects - self.pointed:
            # (in the union's store, what points at a subject from it is there already)
            about.update(self.union.pointing(subject, in_source=self.inside))
        self.pointed |= subjects
        about |= subjects
        about -= self.described
        self.described |= about
        statements = self.union.about_in_source if self.inside else self.union.about
        self.store.oxigraph.bulk_extend(q for node in about for q in statements(node))

    def derive(self, rule: Rule) -> list[Triple]:
        """What ``rule`` derives from the part that the union does not hold yet."""
        return [t for t in set(self.store.construct(rule.sparql)) if not self.union.holds(t)]

    def add(self, triples: list[Triple]) -> None:
        """Take in ``triples`` (just added to the union) and their neighbourhood."""
        self.cover(triples)
        if not self.inside:
            self.store.oxigraph.extend(_flat(t) for t in triples)


def _check_time(deadline: float | None, rule: Rule) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise WriteTimeout(
            f"the inference rules did not finish in time (stopped before {rule.name})"
        )


def _close(
    union: _Union,
    rules: list[Rule],
    new: Sequence[Quad | Triple] | None,
    found: dict[str, list[Triple]],
    *,
    max_rounds: int,
    deadline: float | None,
    python: bool = True,
) -> int:
    """The closure rules applied from ``new`` (already in the union; ``None``: every
    statement the union adds) until a round adds nothing; what each adds goes into
    ``found`` and the union. Returns the rounds.

    One part serves every round: it holds the neighbourhood of ``new`` and grows with that
    of each derived statement (rebuilding it each round from what the round before added
    cost more, on large imports, than evaluating the rules on what it already holds).
    The rules that join one statement with the axioms only (:mod:`cybergov.knowledge.schema`)
    are evaluated in Python on the statements new to them since they last ran (the rest
    of the union is a fixpoint already), unless ``python`` is false."""
    if new is None:
        new = union.new
        part = _Part.of_everything_added(union)
    else:
        part = _Part(union)
        part.cover(new)
    evaluations = {rule.name: evaluation(rule) for rule in rules} if python else {}
    schema = Schema(union.axioms()) if any(evaluations.values()) else None
    statements = list(new)  # every statement new in this closure, in the order it came
    seen: dict[str, int] = {}  # how many of them each rule has been evaluated on
    for round_number in range(1, max_rounds + 1):
        added = 0
        for rule in rules:
            _check_time(deadline, rule)
            evaluate = evaluations.get(rule.name)
            if evaluate is not None and schema is not None:
                since = seen.get(rule.name, 0)
                seen[rule.name] = len(statements)
                derived = set(evaluate(schema, statements[since:]))
                fresh = [t for t in derived if not union.holds(t)]
            else:
                fresh = part.derive(rule)
            if fresh:
                union.check(fresh)
                union.add(fresh)
                part.add(fresh)
                found.setdefault(rule.graph, []).extend(fresh)
                statements += fresh
                added += len(fresh)
        log.debug("inference round %d added %d triples", round_number, added)
        if not added:
            return round_number
    raise DataError(f"the inference rules reached no fixpoint in {max_rounds} rounds")


class _Readable:
    """What a derivation rule reads in the union: every statement but those naming an
    earlier derivation (as in a full materialisation, where they do not exist yet), except
    the results of the derivation rules evaluated before it, which a full materialisation
    holds when it comes to the rule (those the store holds in their graphs, and
    ``earlier``: what they gave this time)."""

    def __init__(self, union: _Union, derived: set[_Node]) -> None:
        self.union = union
        self.derived = derived
        self.earlier = memory_store()
        self.graphs: set[NamedNode] = set()
        self._instances: dict[NamedNode, int] = {}
        self._everything: EmbeddedStore | None = None

    def keep(self, q: Quad) -> bool:
        return (
            q.subject not in self.derived and q.object not in self.derived
        ) or q.graph_name in self.graphs

    def everything(self) -> EmbeddedStore:
        """A store of all the rule reads, made once and kept up to date by :meth:`done`:
        the union's ``added`` store with the statements of the source, when the new
        statements name no earlier derivation (the common case), else a copy."""
        if self._everything is None:
            added = self.union.added
            if self._read_in_place(added):
                log.debug("the derivation rules read the new statements where they are")
                self._everything = added
                self._everything.oxigraph.bulk_extend(self._readable_in_source())
            else:
                self._everything = memory_store()
                engine = self._everything.oxigraph
                engine.bulk_extend(self._readable_in_source())
                engine.bulk_extend(
                    q
                    for q in added.oxigraph.quads_for_pattern(None, None, None, None)
                    if self.keep(q)
                )
            self._everything.oxigraph.bulk_extend(
                self.earlier.oxigraph.quads_for_pattern(None, None, None, None)
            )
        return self._everything

    def _readable_in_source(self) -> Iterator[Quad]:
        for q in self.union.source.quads_for_pattern(None, None, None, None):
            if q.graph_name != _META and self.keep(q):
                yield q

    def _read_in_place(self, store: EmbeddedStore) -> bool:
        """Whether ``store`` (the union's ``added``) can be made a store of what the rule
        reads by taking away the statements it does not read: those of the source only
        (the union stays the same: the source holds them, but for its metadata graph)."""
        engine = store.oxigraph
        unread = {
            q
            for node in self.derived
            for q in itertools.chain(
                engine.quads_for_pattern(node, None, None, None),
                engine.quads_for_pattern(None, None, node, None),
            )
            if not self.keep(q)
        }
        if any(q.graph_name == _META or q not in self.union.source for q in unread):
            return False
        for q in unread:
            engine.remove(q)
        return True

    def about(self, node: _Node) -> Iterator[Quad]:
        """Every statement about ``node`` that the rule reads."""
        if node in self.derived:
            for q in self.union.about(node):
                if q.graph_name in self.graphs:
                    yield q
        else:
            for q in self.union.about(node):
                if q.object not in self.derived or q.graph_name in self.graphs:
                    yield q
        yield from self.earlier.oxigraph.quads_for_pattern(node, None, None, None)

    def lookup(self, s: _Node | None, p: NamedNode | None, o: _Node | None) -> Iterator[Quad]:
        """The statements of the pattern in the source (every graph), the additions and
        ``earlier``: more than the rule reads, never less."""
        yield from self.union.source.quads_for_pattern(s, p, o, None)
        yield from self.union.added.oxigraph.quads_for_pattern(s, p, o, None)
        if self.graphs:  # (``earlier`` is empty before the first rule)
            yield from self.earlier.oxigraph.quads_for_pattern(s, p, o, None)

    def instances(self, kind: NamedNode) -> int:
        """How many resources the union holds of the class ``kind``."""
        if kind not in self._instances:
            self._instances[kind] = len(
                {q.subject for q in self.lookup(None, TYPE, kind) if q.graph_name != _META}
            )
        return self._instances[kind]

    def done(self, rule: Rule, result: set[Triple]) -> None:
        """The rule's results are read from now on."""
        graph = NamedNode(rule.graph)
        self.earlier.oxigraph.extend(_flat(t) for t in result)
        self.graphs.add(graph)
        if self._everything is not None:
            engine = self._everything.oxigraph
            engine.extend(_flat(t) for t in result)
            engine.extend(self.union.source.quads_for_pattern(None, None, None, graph))


class _Changes:
    """The statements the change adds or takes away (the metadata graph the store has is
    replaced), whose subjects :meth:`of` gives."""

    def __init__(self, union: _Union) -> None:
        self.quads: list[Quad | Triple] = [*union.new]
        self.quads += union.source.quads_for_pattern(None, None, None, _META)

    def add(self, triples: Iterable[Triple]) -> None:
        self.quads += triples

    def of(self, reads: frozenset[NamedNode], limit: int) -> set[_Node] | None:
        """The subjects of the statements whose predicate ``reads`` holds; ``None`` once
        they are more than ``limit``."""
        subjects: set[_Node] = set()
        for q in self.quads:
            if q.predicate in reads:
                subjects.add(q.subject)  # type: ignore[arg-type]
                if len(subjects) > limit:
                    return None
        return subjects


def _touched(
    reach: Reach, changes: _Changes, readable: _Readable, limit: int
) -> set[NamedNode] | None:
    """The keys whose results the change may alter; ``None`` when it may alter them all
    (it touches what the rule reads of a fixed resource, or a key is a blank node), or
    when the paths followed back from it lead to more than ``limit`` resources."""
    starts = changes.of(reach.reads, limit)
    reaching = None if starts is None else reach.reaching(starts, readable.lookup, limit)
    if reaching is None or reaching & reach.fixed:
        return None
    keys = {
        node
        for node in reaching
        if next(iter(readable.lookup(node, TYPE, reach.kind)), None) is not None
    }
    if any(isinstance(node, BlankNode) for node in keys):
        return None
    return keys  # type: ignore[return-value]


def _for_keys(rule: Rule, reach: Reach, keys: set[NamedNode], readable: _Readable) -> set[Triple]:
    """The results of ``rule`` for ``keys``, on a store of what the keys' paths reach."""
    working = memory_store()
    reached = reach.reached([*keys, *reach.fixed], readable.lookup)
    working.oxigraph.bulk_extend(q for node in reached for q in readable.about(node))
    values = " ".join(str(key) for key in sorted(keys, key=str))
    result = set(working.construct(f"{rule.sparql}\nVALUES ?{reach.key} {{ {values} }}\n"))
    named = {t.subject for t in result if t.predicate == DERIVED_FROM and t.object in keys}
    if any(t.subject not in named for t in result):
        raise _NotExact(f"{rule.name}: a result does not name its {reach.key} (cg:derivedFrom)")
    return result


def _earlier_for_keys(old: set[Triple], keys: set[NamedNode]) -> set[Triple]:
    """The earlier derivations of resources derived from one of ``keys``."""
    subjects = {t.subject for t in old if t.predicate == DERIVED_FROM and t.object in keys}
    return {t for t in old if t.subject in subjects}


def _derive(
    union: _Union,
    rules: list[Rule],
    old: dict[str, set[Triple]],
    found: dict[str, list[Triple]],
    *,
    deadline: float | None,
) -> list[Triple]:
    """The derivation rules evaluated on what they read of the union (:class:`_Readable`):
    a rule with a reach for the keys the change touches, on what their paths reach, else on
    everything; what is new (added to the union and ``found``).

    Raises :class:`_NotExact` when an earlier derivation is not derived again."""
    derived = {t.subject for rule in rules for t in old.get(rule.graph, ())}
    readable = _Readable(union, {s for s in derived if isinstance(s, (NamedNode, BlankNode))})
    changes = _Changes(union)
    limit = len(union.source) // WALK_SHARE
    new: list[Triple] = []
    for rule in rules:
        _check_time(deadline, rule)
        before = old.get(rule.graph, set())
        keys = None if rule.reach is None else _touched(rule.reach, changes, readable, limit)
        if keys and rule.reach and len(keys) * KEYS_SHARE > readable.instances(rule.reach.kind):
            keys = None  # (the paths of so many keys cost more than a query of everything)
        if rule.reach is None or keys is None:
            result = set(readable.everything().construct(rule.sparql))
            log.debug("%s: evaluated on everything", rule.name)
        else:
            result = _for_keys(rule, rule.reach, keys, readable) if keys else set()
            before = _earlier_for_keys(before, keys)
            log.debug("%s: evaluated for %d records the change touches", rule.name, len(keys))
        if before - result:
            raise _NotExact(f"{rule.name}: earlier derivations change")
        fresh = [t for t in result - before if not union.holds(t)]
        union.add(fresh)
        readable.done(rule, result)
        changes.add(fresh)
        found.setdefault(rule.graph, []).extend(fresh)
        new += fresh
    return new


def _write(
    store: EmbeddedStore, source: EmbeddedStore, rules: list[Rule], found: dict[str, list[Triple]]
) -> dict[str, int]:
    """Each rule's graph of ``source`` and what it adds, into ``store`` (but what ``store``
    holds already, as :meth:`Store.add_triples`); the size of each graph written."""
    engine = store.oxigraph
    held = engine.quads_for_pattern
    added = dict.fromkeys((rule.name for rule in rules), 0)
    for rule in rules:
        graph = NamedNode(rule.graph)
        earlier = source.oxigraph.quads_for_pattern(None, None, None, graph)
        quads = [
            q for q in earlier if next(held(q.subject, q.predicate, q.object, None), None) is None
        ]
        quads += (
            Quad(q.subject, q.predicate, q.object, graph)
            for q in _additions(store, found.get(rule.graph, ()))
        )
        if quads:
            engine.extend(quads)
            added[rule.name] = len(quads)
    store.mark_changed([rule.graph for rule in rules])
    return added


def _additions(store: EmbeddedStore, new: Iterable[Triple]) -> list[Triple]:
    """``new`` but what the metadata graph of ``store`` holds: the only graph of ``store``
    that may hold one (they are new to the union, which holds the other inferred graphs
    and the metadata graph but for its descriptions of inferred graphs)."""
    engine = store.oxigraph
    described = {
        q.subject
        for q in engine.quads_for_pattern(None, None, None, _META)
        if isinstance(q.subject, NamedNode) and q.subject.value.startswith(INFERRED_GRAPH_PREFIX)
    }
    return [
        q
        for q in new
        if q.subject not in described or Quad(q.subject, q.predicate, q.object, _META) not in engine
    ]


def _sizes(store: EmbeddedStore, source: EmbeddedStore, rules: list[Rule]) -> dict[str, int] | None:
    """The size of each rule's graph of ``source``; ``None`` when one of them is empty, or
    holds a statement that another of them or the metadata graph of ``store`` holds (that
    graph would not be written whole again: see :func:`_write`)."""
    graphs = [NamedNode(rule.graph) for rule in rules]
    engine = source.oxigraph
    if any(
        Quad(q.subject, q.predicate, q.object, graph) in engine
        for q in store.oxigraph.quads_for_pattern(None, None, None, _META)
        for graph in graphs
    ):
        return None
    listed = " ".join(map(str, graphs))
    shared = f"""ASK {{
      VALUES ?g {{ {listed} }}
      VALUES ?h {{ {listed} }}
      GRAPH ?g {{ ?s ?p ?o }}
      GRAPH ?h {{ ?s ?p ?o }}
      FILTER(?h != ?g)
    }}"""
    if source.ask(shared):
        return None
    counted = source.select(
        f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {listed} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        " GROUP BY ?g"
    )
    sizes = {row[0].value: int(row[1].value) for row in counted.rows if row[0] and row[1]}
    held = set(source.named_graphs())
    if any(rule.graph in held and not sizes.get(rule.graph) for rule in rules):
        return None
    return {rule.name: sizes.get(rule.graph, 0) for rule in rules}


def _added(
    store: EmbeddedStore, rules: list[Rule], found: dict[str, list[Triple]], sizes: dict[str, int]
) -> tuple[dict[str, int], dict[str, list[Triple]]]:
    """What each rule adds to its graph of ``source`` (whose sizes are ``sizes``), as
    :func:`_write` would write it into ``store``; the size each graph will have."""
    added = dict(sizes)
    additions: dict[str, list[Triple]] = {}
    for rule in rules:
        triples = _additions(store, found.get(rule.graph, ()))
        if triples:
            additions[rule.graph] = triples
            added[rule.name] += len(triples)
    return added, additions


def metadata_but_inferred(store: EmbeddedStore) -> list[Quad]:
    """The metadata graph of ``store`` but for the descriptions of inferred graphs (a
    refresh drops them before the rules run)."""
    return [
        Quad(t.subject, t.predicate, t.object, _META)
        for t in store.graph_triples(META_GRAPH)
        if not (
            isinstance(t.subject, NamedNode) and t.subject.value.startswith(INFERRED_GRAPH_PREFIX)
        )
    ]


def materialise_change(
    store: EmbeddedStore,
    rules: list[Rule],
    *,
    source: EmbeddedStore,
    extra: Iterable[Quad],
    max_rounds: int = 50,
    deadline: float | None = None,
    additions: bool = False,
    python: bool = True,
) -> MaterialisationReport | None:
    """The inferred graphs of ``source`` with what follows from the statements ``extra``
    added, written to ``store`` (which holds the metadata graph the change gives
    ``source``), worked out from the inferences ``source`` holds; ``None`` (and ``store``
    unchanged) when that cannot be done exactly and a full materialisation must be.

    With ``additions``, when all the change does to the inferred graphs of ``source`` is
    to add to them (none of their statements is dropped: :func:`_sizes`), ``store``
    receives none of them: the report holds what the change adds to each
    (:attr:`MaterialisationReport.additions`), its counts are those of the graphs whole.
    With ``python`` false, every closure rule is evaluated by its query (:func:`_close`),
    as the reference the tests compare with. ``extra`` that is a
    :class:`~cybergov.store.batch.GraphBatch` is loaded from its text, its statements kept
    as triples (no quad is made of them).

    Raises:
        DataError: no fixpoint is reached within ``max_rounds``.
        WriteTimeout: past ``deadline`` (a time of :func:`time.monotonic`).
    """
    started = time.perf_counter()
    if not isinstance(extra, GraphBatch):
        extra = list(extra)
    meta = metadata_but_inferred(store)
    union = _Union(source, meta, extra)
    closure = [rule for rule in rules if rule.stage == CLOSURE]
    derivations = [rule for rule in rules if rule.stage == DERIVATION]
    old = {rule.graph: set(source.graph_triples(rule.graph)) for rule in derivations}
    found: dict[str, list[Triple]] = {}
    try:
        union.check(extra.triples if isinstance(extra, GraphBatch) else extra)
        # The metadata graph is taken as new as a whole: it changes (the change's
        # description), and a store's first load describes the rules only after its
        # inferences are worked out, so what follows from those descriptions is not
        # among them yet.
        rounds = _close(
            union, closure, None, found, max_rounds=max_rounds, deadline=deadline, python=python
        )
        new = _derive(union, derivations, old, found, deadline=deadline)
        if new:
            rounds += _close(
                union, closure, new, found, max_rounds=max_rounds, deadline=deadline, python=python
            )
    except _NotExact as reason:
        log.info("%s; inferences worked out again", reason)
        return None
    sizes = _sizes(store, source, rules) if additions else None
    added_to: dict[str, list[Triple]] | None = None
    if sizes is None:
        added = _write(store, source, rules, found)
    else:
        added, added_to = _added(store, rules, found, sizes)
    log.info("inferences worked out from those of the store: %d in all", sum(added.values()))
    return MaterialisationReport(added, rounds, time.perf_counter() - started, added_to)
