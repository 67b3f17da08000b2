"""Loading the ontology and the curated graph into a store, then the inferences.

Each ontology module and each ``kg/`` file becomes its own named graph,
described in the metadata graph with its checksum. Loading is idempotent: a
file whose checksum has not changed is skipped, a file that disappeared has
its graph dropped, and the inference rules run again only when something
they read has changed.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat

from cybergov.knowledge.increment import materialise_change
from cybergov.knowledge.ontology import ontology_modules
from cybergov.knowledge.rules import (
    MaterialisationReport,
    Rule,
    materialise,
    materialise_increment,
    read_rules,
)
from cybergov.namespaces import (
    CG,
    GRAPH,
    INFERRED_GRAPH_PREFIX,
    KG_GRAPH_PREFIX,
    META_GRAPH,
    ONTOLOGY_GRAPH_PREFIX,
    VOCABULARY_PREFIXES,
    graph_iri,
)
from cybergov.settings import data_folder, data_root
from cybergov.store.base import Store
from cybergov.store.batch import GraphBatch
from cybergov.store.embedded import EmbeddedStore

log = logging.getLogger(__name__)

_XSD = VOCABULARY_PREFIXES["xsd"]
_LICENCE = "https://creativecommons.org/licenses/by/4.0/"
INFERENCE_STATE = f"{GRAPH}inferred"


@dataclass(frozen=True, slots=True)
class Source:
    """A file that becomes one named graph."""

    path: Path
    graph: str
    rdf_class: str
    relative: str

    def read(self) -> bytes:
        return self.path.read_bytes()


@dataclass(slots=True)
class LoadReport:
    """What a load did."""

    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    inference: MaterialisationReport | None = None
    quads: int = 0
    seconds: float = 0.0


def curated_sources(root: Path | None = None) -> list[Source]:
    """The ontology modules and the ``kg/`` files, each with the graph it loads into."""
    root = root or data_root()

    def relative(path: Path) -> str:
        return path.relative_to(root).as_posix()

    sources = [
        Source(m.path, m.graph, str(CG.OntologyGraph), relative(m.path))
        for m in ontology_modules(data_folder("ontology", root))
    ]
    sources += [
        Source(path, graph_iri("kg", path.stem), str(CG.CuratedGraph), relative(path))
        for path in sorted(data_folder("kg", root).glob("*.ttl"))
    ]
    return sources


def stored_checksums(store: Store) -> dict[str, str]:
    """The checksum recorded in the metadata graph for each graph."""
    answer = store.select(
        f"SELECT ?g ?sha WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{CG.sha256}> ?sha }} }}"
    )
    return {
        row[0].value: row[1].value
        for row in answer.rows
        if row[0] is not None and row[1] is not None
    }


def set_graph_metadata(store: Store, graph: str, statements: list[tuple[str, str]]) -> None:
    """Replace what the metadata graph says of ``graph`` with ``statements``.

    ``statements`` are (predicate IRI, object in N-Triples syntax) pairs.
    """
    body = " ".join(f"<{graph}> <{p}> {o} ." for p, o in statements)
    store.update(
        f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }} ;\n"
        f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{ {body} }} }}",
        graphs=(META_GRAPH,),
    )


def _now() -> str:
    return str(
        Literal(
            datetime.now(UTC).isoformat(timespec="seconds"), datatype=NamedNode(f"{_XSD}dateTime")
        )
    )


def _text(value: str, language: str | None = None) -> str:
    return str(Literal(value, language=language)) if language else str(Literal(value))


def _count(value: int) -> str:
    return str(Literal(str(value), datatype=NamedNode(f"{_XSD}integer")))


def load(
    store: Store, *, root: Path | None = None, force: bool = False, infer: bool = True
) -> LoadReport:
    """Load the ontology, the curated graph and the inferences into ``store``.

    Raises:
        RdfSyntaxError: a file does not parse (the message names file, line, column).
        OntologyImportError: the ontology imports a module that is not there.
        HeaderError: a rule file has a bad header.
        StoreError: the store failed.
    """
    started = time.perf_counter()
    report = LoadReport()
    known = stored_checksums(store)
    sources = curated_sources(root)
    for source in sources:
        data = source.read()
        checksum = hashlib.sha256(data).hexdigest()
        if not force and known.get(source.graph) == checksum:
            report.unchanged.append(source.relative)
            continue
        size = store.replace_graph(
            source.graph, data, format=RdfFormat.TURTLE, source=str(source.path)
        )
        set_graph_metadata(
            store,
            source.graph,
            [
                ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", f"<{source.rdf_class}>"),
                ("http://www.w3.org/2000/01/rdf-schema#label", _text(source.relative, "en")),
                (str(CG.sourceFile), _text(source.relative)),
                (str(CG.sha256), _text(checksum)),
                (str(CG.tripleCount), _count(size)),
                ("http://www.w3.org/ns/prov#generatedAtTime", _now()),
                ("http://purl.org/dc/terms/creator", _text("The cybergov maintainers")),
                ("http://purl.org/dc/terms/license", f"<{_LICENCE}>"),
            ],
        )
        report.loaded.append(source.relative)
    current = {source.graph for source in sources}
    for graph in known:
        if graph.startswith((ONTOLOGY_GRAPH_PREFIX, KG_GRAPH_PREFIX)) and graph not in current:
            store.drop_graph(graph)
            store.update(
                f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }}",
                graphs=(META_GRAPH,),
            )
            report.removed.append(graph)
    if infer:
        report.inference = refresh_inferences(store, force=force, root=root)
    report.quads = len(store)
    report.seconds = time.perf_counter() - started
    return report


def inference_input_checksum(store: Store, rules: list[Rule]) -> str:
    """A checksum of everything the rules read: every asserted graph and every rule."""
    digest = hashlib.sha256()
    for graph, checksum in sorted(stored_checksums(store).items()):
        if not graph.startswith(INFERRED_GRAPH_PREFIX) and graph != INFERENCE_STATE:
            digest.update(f"{graph} {checksum}\n".encode())
    for rule in rules:
        digest.update(f"{rule.name}\n{rule.sparql}\n".encode())
    return digest.hexdigest()


def _from_nothing(
    store: Store,
    rules: list[Rule],
    deadline: float | None,
    source: Store | None,
    extra: Iterable[Quad],
) -> MaterialisationReport:
    """Every inferred graph dropped (and its description), then worked out again."""
    described = store.select(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH <{META_GRAPH}> {{ ?g ?p ?o }} "
        f'FILTER(STRSTARTS(STR(?g), "{INFERRED_GRAPH_PREFIX}")) }}'
    )
    inferred = {row[0].value for row in described.rows if row[0] is not None}
    for graph in sorted(inferred | set(store.named_graphs())):
        if graph.startswith(INFERRED_GRAPH_PREFIX):
            store.drop_graph(graph)
            store.update(
                f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }}",
                graphs=(META_GRAPH,),
            )
    return materialise(store, rules, deadline=deadline, source=source, extra=extra)


def refresh_inferences(
    store: Store,
    *,
    force: bool = False,
    root: Path | None = None,
    deadline: float | None = None,
    source: Store | None = None,
    extra: Iterable[Quad] = (),
    additions: bool = False,
) -> MaterialisationReport | None:
    """Recompute every inferred graph if what the rules read has changed.

    Returns the materialisation report, or ``None`` when nothing had changed.

    With ``source`` and ``extra``, ``store`` holds only a metadata graph, and the rules read
    ``source`` and ``extra`` beside it (see :func:`cybergov.knowledge.rules.materialise`):
    ``store`` receives the inferred graphs that ``source`` changed by ``extra`` would have,
    worked out from the inferences ``source`` holds when that can be done exactly (on parts
    of an embedded store near the new statements,
    :func:`cybergov.knowledge.increment.materialise_change`; on working copies of a remote
    one, :func:`cybergov.knowledge.rules.materialise_increment`), else from nothing.
    ``extra`` that is a :class:`~cybergov.store.batch.GraphBatch` is loaded in bulk where
    the statements of a new graph are.

    Raises:
        WriteTimeout: past ``deadline`` (see :func:`cybergov.knowledge.rules.materialise`).
    """
    rules = read_rules(data_folder("queries", root) / "rules")
    checksum = inference_input_checksum(store, rules)
    if not force and stored_checksums(store).get(INFERENCE_STATE) == checksum:
        return None
    result = None
    if not isinstance(extra, GraphBatch):  # (a batch is loaded as it is, or read once)
        extra = list(extra)
    current = source is not None and stored_checksums(source).get(
        INFERENCE_STATE
    ) == inference_input_checksum(source, rules)
    # the store's inferences are those of its graphs: worked out from them
    if current and isinstance(source, EmbeddedStore) and isinstance(store, EmbeddedStore):
        result = materialise_change(
            store, rules, source=source, extra=extra, deadline=deadline, additions=additions
        )
    elif current and source is not None:  # a remote store: on working copies of it
        result = materialise_increment(store, rules, source=source, extra=extra, deadline=deadline)
    if result is None:
        result = _from_nothing(store, rules, deadline, source, extra)
    present = set(store.named_graphs())
    if result.additions is not None and source is not None:
        present.update(source.named_graphs())
        present.update(result.additions)
    for rule in rules:
        set_graph_metadata(
            store,
            rule.iri,
            [
                ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", f"<{CG.InferenceRule}>"),
                ("http://www.w3.org/2000/01/rdf-schema#label", _text(rule.summary, "en")),
                ("http://purl.org/dc/terms/description", _text(rule.description, "en")),
                (str(CG.sourceFile), _text(f"queries/rules/{rule.path.name}")),
            ],
        )
        if rule.graph not in present:  # the rule derived nothing: no graph to describe
            continue
        set_graph_metadata(
            store,
            rule.graph,
            [
                ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", f"<{CG.InferredGraph}>"),
                (
                    "http://www.w3.org/2000/01/rdf-schema#label",
                    _text(f"facts derived by the rule {rule.name}", "en"),
                ),
                (str(CG.derivedByRule), f"<{rule.iri}>"),
                (str(CG.tripleCount), _count(result.added[rule.name])),
                ("http://www.w3.org/ns/prov#generatedAtTime", _now()),
            ],
        )
    set_graph_metadata(store, INFERENCE_STATE, [(str(CG.sha256), _text(checksum))])
    log.info(
        "inference: %d triples in %d rounds, %.2f s", result.total, result.rounds, result.seconds
    )
    return result
