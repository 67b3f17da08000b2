"""What an import reads and makes: records, problems, matches, and the report.

An importer (one module per source) turns a file into a :class:`Batch`: the records it
made (each with the statements that describe it), the problems of bad rows (which row,
which field, what was wrong, what was done), and the matches it proposed against the
curated graph (with their score and reason). :mod:`cybergov.importers.run` validates the
batch against the shapes and writes it as the import's graph.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pyoxigraph import NamedNode, Triple

if TYPE_CHECKING:
    from cybergov.importers.context import ImportContext

#: What a progress callback is told: rows done, rows in all (``None`` when unknown).
Progress = Callable[[int, int | None], None]

REFUSED = "refused"
WITHOUT_FIELD = "imported without that field"
WITHOUT_TYPE_OR_TARGET = "imported without type/target: the source gives none"


class Verdict(StrEnum):
    """What became of a record compared with the curated graph."""

    MATCHED = "matched"
    """Confidently the same as a curated incident or group: linked, never merged."""
    REVIEW = "for review"
    """Resembles a curated one too weakly: imported as its own record and listed for review."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of the input: where, in which field, what was wrong, and what was done."""

    row: str
    field: str
    problem: str
    action: str


@dataclass(frozen=True, slots=True)
class Match:
    """A record of the import set beside a curated incident or group."""

    row: str
    title: str
    kind: str
    record: str
    curated: str
    score: float
    reason: str
    verdict: Verdict
    decided: bool = False


@dataclass(slots=True)
class Record:
    """What one row (or object) became: a new resource, or statements about a curated one."""

    row: str
    kind: str
    iri: str
    title: str
    triples: list[Triple] = field(default_factory=list)
    new: bool = True
    #: An incident whose source gives no incident type or no target: the import keeps it
    #: without them (the shapes' demand of both is waived for it, and reported).
    untyped: bool = False

    def subjects(self) -> set[str]:
        return {t.subject.value for t in self.triples if isinstance(t.subject, NamedNode)}


@dataclass(slots=True)
class Batch:
    """What an importer read from one file."""

    rows: int = 0
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    #: Who produced what was read (actor resources), when the file says so; the import's
    #: publisher, instead of the importer's tracker.
    publishers: list[str] = field(default_factory=list)

    def problem(self, row: str, field_name: str, problem: str, action: str) -> None:
        self.problems.append(Problem(row, field_name, problem, action))

    def published_by(self, actor: str) -> None:
        if actor not in self.publishers:
            self.publishers.append(actor)


@dataclass(slots=True)
class Counts:
    """The summary of an import."""

    rows: int = 0
    made: int = 0
    matched: int = 0
    review: int = 0
    refused: int = 0
    triples: int = 0


@dataclass(slots=True)
class ImportReport:
    """The full report of one import, the same for the command line and the service."""

    id: str
    source: str
    name: str
    graph: str
    file: str
    sha256: str
    importer_version: str
    status: str
    counts: Counts
    problems: list[Problem] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    derived_added: int = 0
    derived_removed: int = 0
    seconds: float = 0.0
    dry_run: bool = False

    def as_json(self) -> dict[str, Any]:
        found = asdict(self)
        found["matches"] = [{**asdict(m), "verdict": str(m.verdict)} for m in self.matches]
        return found

    @property
    def exit_refused(self) -> bool:
        return self.counts.refused > 0


class Importer(ABC):
    """One source of imports: reads a file or folder of that source into a batch.

    A further source (EuRepoC's export, DCID...) is one new module with one subclass,
    registered in :data:`cybergov.importers.sources.IMPORTERS`.
    """

    #: The short name of the source, in the import's graph IRI and on the command line.
    source: ClassVar[str]
    #: The importer's version, recorded with every import it makes.
    version: ClassVar[str]
    #: The actor resource of the tracker (the attributor of its codings).
    tracker: ClassVar[str]
    #: A page of the tracker, cited when a row names no source of its own.
    home: ClassVar[str]

    @abstractmethod
    def read(self, path: Path, context: ImportContext, progress: Progress | None = None) -> Batch:
        """Read ``path`` into a batch; bad rows are reported in it, never raised.

        Raises:
            ImportInputError: the file or folder cannot be read at all.
        """
