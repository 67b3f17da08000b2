"""Running an import: read, validate in context, and write the import's graph in one change.

An import of ``source`` named ``name`` is the named graph
``https://w3id.org/cybergov/graph/import/<source>/<name>``, described in the metadata graph
(a ``cg:ImportedGraph`` with its publisher, who produced the file: the tracker, or the
makers the file names (:attr:`Batch.publishers`); the file's SHA-256, the importer's
version, the time and the counts of what was made, matched, listed for review and
refused). It is written with
:func:`cybergov.contribute.staging.stage`: on a scratch copy of the store the previous
version of the graph is dropped, the new records are validated against the shapes in the
context of the graph (a record that does not pass is refused and reported, the rest is
kept), the graph and its description are written and the inferences computed again; then
the difference reaches the store in one update. A first import (no graph of that name yet)
is validated in the context of the store itself and written with
:func:`cybergov.contribute.staging.stage_new_graph`, which works out its inferences without
copying the store. An import whose key (file, importer version, reviewers' decisions,
curated graph) has not changed writes nothing.
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, Triple

from cybergov.contribute.compiled_shapes import Statement
from cybergov.contribute.staging import scratch_copy, stage, stage_new_graph
from cybergov.contribute.validation import ShapesBundle, shapes_bundle, validate_statements
from cybergov.contribute.validation_report import Finding
from cybergov.errors import ImportInputError, ImportNotFound
from cybergov.importers import terms
from cybergov.importers.context import read_context
from cybergov.importers.decisions import default_path
from cybergov.importers.model import (
    REFUSED,
    Batch,
    Counts,
    Importer,
    ImportReport,
    Progress,
    Record,
    Verdict,
)
from cybergov.knowledge.load import set_graph_metadata
from cybergov.namespaces import (
    CG,
    CGSH,
    INFERRED_GRAPH_PREFIX,
    META_GRAPH,
    SH,
    VOCABULARY_PREFIXES,
    graph_iri,
)
from cybergov.store.base import Store
from cybergov.store.embedded import EmbeddedStore

IMPORT_GRAPH_PREFIX = graph_iri("import", "")
_XSD = VOCABULARY_PREFIXES["xsd"]
_RDF = VOCABULARY_PREFIXES["rdf"]
_RDFS = VOCABULARY_PREFIXES["rdfs"]
_DCT = VOCABULARY_PREFIXES["dct"]
_PROV = VOCABULARY_PREFIXES["prov"]
#: Records validated in one pass of the shapes (with the records they point at): one pass
#: for most imports, and a bounded data graph for the largest.
CHUNK = 10_000


def import_graph(source: str, name: str) -> str:
    return graph_iri("import", f"{source}/{name}")


def import_id(source: str, name: str) -> str:
    return f"{source}--{name}"


def _file_digest(path: Path) -> tuple[str, date]:
    """The SHA-256 of a file, or of a folder's files with their relative paths; its date."""
    digest = hashlib.sha256()
    try:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            for file in files:
                digest.update(file.relative_to(path).as_posix().encode() + b"\0")
                digest.update(file.read_bytes())
            stamp = max((f.stat().st_mtime for f in files), default=path.stat().st_mtime)
        else:
            digest.update(path.read_bytes())
            stamp = path.stat().st_mtime
    except OSError as error:
        raise ImportInputError(f"{path}: cannot be read ({error.strerror or error})") from error
    return digest.hexdigest(), datetime.fromtimestamp(stamp, UTC).date()


def _statements(records: Iterable[Record]) -> list[Statement]:
    """The statements of the records, each once, in the order they are met, as the tuples
    the validation reads (each distinct triple taken apart once: a triple is compared
    whole, at less cost than the tuple of its terms)."""
    found: list[Statement] = []
    for triple in dict.fromkeys(t for record in records for t in record.triples):
        s, p, o = triple
        if not isinstance(s, Triple) and not isinstance(o, Triple):
            found.append((s, p, o))
    return found


def _owners(records: Iterable[Record]) -> dict[str, Record]:
    owner: dict[str, Record] = {}
    for record in records:
        for subject in record.subjects():
            owner.setdefault(subject, record)
    return owner


def _referenced(judged: list[Record], owner: dict[str, Record]) -> list[Record]:
    """The records of the batch, outside ``judged``, that ``judged`` points at."""
    inside = {id(r) for r in judged}
    found: dict[int, Record] = {}
    for record in judged:
        for t in record.triples:
            value = t.object
            other = owner.get(value.value) if isinstance(value, NamedNode) else None
            if other is not None and id(other) not in inside:
                found[id(other)] = other
    return list(found.values())


def waived(finding: Finding, record: Record) -> bool:
    """Whether ``finding`` is one of the two demands waived for a record whose source gives
    no incident type or no target (:attr:`Record.untyped`): an incident type, a target."""
    if not record.untyped or finding.focus != record.iri:
        return False
    return (
        finding.shape == str(CGSH["Incident-incidentType"])
        and finding.constraint == str(SH.MinCountConstraintComponent)
    ) or finding.source_constraint == str(CGSH["Incident-target"])


def _failing(
    scratch: Store,
    judged: list[Record],
    owner: dict[str, Record],
    bundle: ShapesBundle,
    source: str,
) -> dict[int, tuple[Record, Finding]]:
    """The records of ``judged`` that do not pass the shapes, each with its first finding.

    One validation in context for all of them; the records of the batch they point at go
    with them as context (their own findings are theirs, not counted here)."""
    statements = _statements([*judged, *_referenced(judged, owner)])
    report = validate_statements(statements, scratch, source=source, bundle=bundle)
    mine = {id(r) for r in judged}
    failing: dict[int, tuple[Record, Finding]] = {}
    for finding in report.findings:
        for node in (finding.focus, *(s for s, _, _ in finding.referenced_by)):
            record = owner.get(node)
            if record is None:
                continue
            if id(record) in mine and not waived(finding, record):
                failing.setdefault(id(record), (record, finding))
            break
    return failing


def _validated(scratch: Store, batch: Batch, bundle: ShapesBundle, source: str) -> list[Record]:
    """The records that pass the shapes in the context of ``scratch``; the others refused.

    The whole batch is validated at once (in chunks of :data:`CHUNK` records); a finding
    refuses the record whose resource it is about. Then only the records that point at a
    refused one are validated again, until none fails."""
    kept = list(batch.records)
    todo = kept
    while todo:
        owner = _owners(kept)
        failing: dict[int, tuple[Record, Finding]] = {}
        for start in range(0, len(todo), CHUNK):
            failing.update(_failing(scratch, todo[start : start + CHUNK], owner, bundle, source))
        for record, finding in failing.values():
            batch.problem(
                record.row,
                finding.path_label or finding.path or "(record)",
                f"does not pass the shapes: {finding.message}",
                REFUSED,
            )
        gone = {NamedNode(s) for record, _ in failing.values() for s in record.subjects()}
        kept = [r for r in kept if id(r) not in failing]
        todo = [r for r in kept if any(t.object in gone for t in r.triples)] if gone else []
    return kept


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """An import as the metadata graph describes it."""

    id: str
    source: str
    name: str
    graph: str
    file: str
    sha256: str
    importer_version: str
    imported: str
    counts: Counts
    key: str


def _count(value: int) -> str:
    return str(Literal(str(value), datatype=NamedNode(f"{_XSD}integer")))


def _meta(
    report: ImportReport, importer: Importer, batch: Batch, key: str
) -> list[tuple[str, str]]:
    now = Literal(
        datetime.now(UTC).isoformat(timespec="seconds"), datatype=NamedNode(f"{_XSD}dateTime")
    )
    c = report.counts
    return [
        (f"{_RDF}type", f"<{CG.ImportedGraph}>"),
        (f"{_RDFS}label", str(Literal(f"import {report.id} of {report.file}", language="en"))),
        (f"{_DCT}identifier", str(Literal(report.id))),
        *((f"{_DCT}publisher", f"<{actor}>") for actor in batch.publishers or [importer.tracker]),
        (f"{_DCT}source", f"<{importer.home}>"),
        (str(CG.sourceFile), str(Literal(report.file))),
        (str(CG.sha256), str(Literal(report.sha256))),
        (str(CG.importKey), str(Literal(key))),
        (str(CG.importerVersion), str(Literal(importer.version))),
        (f"{_PROV}generatedAtTime", str(now)),
        (str(CG.tripleCount), _count(c.triples)),
        (str(CG.recordsMade), _count(c.made)),
        (str(CG.recordsMatched), _count(c.matched)),
        (str(CG.recordsForReview), _count(c.review)),
        (str(CG.rowsRefused), _count(c.refused)),
    ]


def _counts(batch: Batch, kept: list[Record], rows: int) -> Counts:
    kept_rows = {r.row for r in kept}
    refused_rows = {p.row for p in batch.problems if p.action.startswith(REFUSED)} - kept_rows
    return Counts(
        rows=rows,
        made=sum(1 for r in kept if r.new),
        matched=sum(
            1 for m in batch.matches if m.verdict is Verdict.MATCHED and m.row in kept_rows
        ),
        review=sum(1 for m in batch.matches if m.verdict is Verdict.REVIEW and m.row in kept_rows),
        refused=len(refused_rows),
        triples=len({t for r in kept for t in r.triples}),
    )


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused (as it was after).

    An import makes millions of containers that hold no cycles (records, their statements,
    the validation's index, the inference's working sets), which reference counting frees;
    while they are made, the collector's full passes walk the whole heap again and again
    (two thirds of the time spent indexing the statements to validate). Other threads
    collect no cycles meanwhile."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def run_import(
    store: Store,
    importer: Importer,
    path: Path,
    *,
    name: str | None = None,
    dry_run: bool = False,
    as_of: date | None = None,
    decisions: Path | None = None,
    progress: Progress | None = None,
    root: Path | None = None,
) -> ImportReport:
    """Import ``path`` with ``importer`` into ``store`` (nothing is written with ``dry_run``).

    The caller makes sure that no other change of the store runs at the same time. The
    cyclic garbage collector is paused meanwhile (:func:`collector_paused`).

    Raises:
        ImportInputError: the file or folder cannot be read at all.
        DataError: the shapes, rules or decisions cannot be read.
        StoreError: the store failed; nothing was written.
    """
    with collector_paused():
        return _run_import(
            store,
            importer,
            path,
            name=name,
            dry_run=dry_run,
            as_of=as_of,
            decisions=decisions,
            progress=progress,
            root=root,
        )


def _run_import(
    store: Store,
    importer: Importer,
    path: Path,
    *,
    name: str | None,
    dry_run: bool,
    as_of: date | None,
    decisions: Path | None,
    progress: Progress | None,
    root: Path | None,
) -> ImportReport:
    started = time.perf_counter()
    if not path.exists():
        raise ImportInputError(f"{path}: no such file or folder")
    sha, file_date = _file_digest(path)
    name = terms.slug(name or path.stem, limit=40) or "import"
    as_of = as_of or file_date
    graph = import_graph(importer.source, name)
    context = read_context(store, as_of=as_of, decisions_path=decisions or default_path(root))
    batch = importer.read(path, context, progress)
    key = hashlib.sha256(
        f"{sha}\n{importer.version}\n{context.checksum}\n{as_of}\n{graph}".encode()
    ).hexdigest()
    bundle = shapes_bundle(root)
    report = ImportReport(
        id=import_id(importer.source, name),
        source=importer.source,
        name=name,
        graph=graph,
        file=path.name,
        sha256=sha,
        importer_version=importer.version,
        status="",
        counts=Counts(),
        dry_run=dry_run,
    )

    def prepare(scratch: EmbeddedStore) -> list[Record]:
        scratch.drop_graph(graph)
        return _validated(scratch, batch, bundle, f"the import {report.id}")

    def finish(kept: list[Record]) -> None:
        report.counts = _counts(batch, kept, batch.rows)
        report.problems = batch.problems
        kept_rows = {r.row for r in kept}
        report.matches = [m for m in batch.matches if m.row in kept_rows]

    if dry_run:
        finish(prepare(scratch_copy(store)))
        report.status = "dry run: nothing written"
    elif _stored_key(store, graph) == key:
        # the same input as the import the store holds: its counts, no second validation
        stored = next(r for r in list_imports(store) if r.graph == graph)
        report.counts = stored.counts
        report.counts.rows = batch.rows
        report.problems = batch.problems
        report.matches = batch.matches
        report.status = "unchanged: nothing written"
    elif graph not in store.named_graphs():
        # a first import: validated in the context of the store itself, written with the
        # inferences it brings, without a copy of the store
        kept = _validated(store, batch, bundle, f"the import {report.id}")
        finish(kept)
        statements = list(dict.fromkeys(t for r in kept for t in r.triples))
        changes = stage_new_graph(
            store, graph, statements, _meta(report, importer, batch, key), root=root
        )
        report.derived_added, report.derived_removed = changes.count(prefix=INFERRED_GRAPH_PREFIX)
        report.status = "imported"
    else:

        def edit(scratch: EmbeddedStore) -> list[Record]:
            kept = prepare(scratch)
            finish(kept)
            target = NamedNode(graph)
            scratch.oxigraph.add_graph(target)
            scratch.oxigraph.extend(
                Quad(t.subject, t.predicate, t.object, target) for r in kept for t in r.triples
            )
            scratch.mark_changed()
            set_graph_metadata(scratch, graph, _meta(report, importer, batch, key))
            return kept

        _, changes = stage(store, edit, touches=lambda g: g == graph, root=root)
        report.derived_added, report.derived_removed = changes.count(prefix=INFERRED_GRAPH_PREFIX)
        report.status = "imported"
    report.seconds = round(time.perf_counter() - started, 3)
    return report


_IMPORTS = f"""
PREFIX cg: <{CG}>
PREFIX dct: <{_DCT}>
PREFIX prov: <{_PROV}>
SELECT ?graph ?id ?file ?sha ?version ?at ?key ?triples ?made ?matched ?review ?refused WHERE {{
  GRAPH <{META_GRAPH}> {{
    ?graph a cg:ImportedGraph ; dct:identifier ?id ; cg:sourceFile ?file ; cg:sha256 ?sha ;
      cg:importerVersion ?version ; prov:generatedAtTime ?at ; cg:importKey ?key ;
      cg:tripleCount ?triples ; cg:recordsMade ?made ; cg:recordsMatched ?matched ;
      cg:recordsForReview ?review ; cg:rowsRefused ?refused .
  }}
}} ORDER BY ?id"""


def list_imports(store: Store) -> list[ImportRecord]:
    """Every import the store holds, by identifier.

    Raises:
        StoreError: the store failed.
    """
    found = []
    for row in store.select(_IMPORTS).as_dicts():
        graph = row["graph"].value
        source, _, name = graph.removeprefix(IMPORT_GRAPH_PREFIX).partition("/")
        found.append(
            ImportRecord(
                id=row["id"].value,
                source=source,
                name=name,
                graph=graph,
                file=row["file"].value,
                sha256=row["sha"].value,
                importer_version=row["version"].value,
                imported=row["at"].value,
                counts=Counts(
                    made=int(row["made"].value),
                    matched=int(row["matched"].value),
                    review=int(row["review"].value),
                    refused=int(row["refused"].value),
                    triples=int(row["triples"].value),
                ),
                key=row["key"].value,
            )
        )
    return found


def _stored_key(store: Store, graph: str) -> str | None:
    answer = store.select(
        f"SELECT ?key WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> <{CG.importKey}> ?key }} }}"
    )
    return next((str(row[0].value) for row in answer.rows if row[0] is not None), None)


def withdraw_import(store: Store, identifier: str, *, root: Path | None = None) -> tuple[int, int]:
    """Remove exactly one import (its graph and description) and what was derived from it.

    Returns the number of derived statements added and removed.

    Raises:
        ImportNotFound: no import has that identifier.
        StoreError: the store failed; nothing was changed.
    """
    known = {record.id: record for record in list_imports(store)}
    if identifier not in known:
        raise ImportNotFound(f"no import has the identifier {identifier!r}")
    graph = known[identifier].graph

    def drop(scratch: EmbeddedStore) -> None:
        scratch.drop_graph(graph)
        scratch.update(
            f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }}", graphs=(META_GRAPH,)
        )

    _, changes = stage(store, drop, touches=lambda g: g == graph, root=root)
    return changes.count(prefix=INFERRED_GRAPH_PREFIX)


__all__ = [
    "IMPORT_GRAPH_PREFIX",
    "ImportRecord",
    "import_graph",
    "import_id",
    "list_imports",
    "run_import",
    "withdraw_import",
]
