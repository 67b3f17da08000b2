"""Change sets: the statements added and removed between two releases, or between a release
and the live store, written as an RDF Patch (https://afs.github.io/rdf-delta/rdf-patch.html).

The convention:

- both sides are read in their canonical N-Quads (:func:`cybergov.knowledge.canonical.
  canonical_nquads`): each statement once, in its named graph, blank nodes named from their
  content within their graph; a release keeps its own as ``cybergov.canonical.nq``, whose
  SHA-256 is the release checksum;
- the patch is one transaction (``TX`` ... ``TC``) of ``D`` (delete) and ``A`` (add) rows,
  grouped by named graph (graphs in code-point order; in each, the deletions, then the
  additions, each sorted); every row is ``D``/``A``, a space, and the canonical N-Quads line
  of the statement, its graph named;
- headers give the two sides and their checksums (``H from``, ``H fromChecksum``, ``H to``,
  ``H toChecksum``) and an id made from them, so the same change set always has the same id;
- **blank nodes**: a row names a blank node by its canonical label, as the canonical N-Quads
  of the release write it. A blank node is never edited in place: when anything about it
  changes, its label changes with its content, so the patch deletes the statements under
  the old label and adds those under the new one. A partner who keeps the canonical N-Quads
  of its release (or skolemises blank nodes into IRIs from those labels) applies the rows
  as they are;
- applying: remove every ``D`` row from the copy (each must be there), add every ``A`` row
  (none may be there), sort the lines by code point; the SHA-256 of the result, each line
  ending with a line feed, is the checksum of the target (``H toChecksum``).
"""

from __future__ import annotations

import io
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pyoxigraph import RdfFormat, parse

from cybergov.errors import ExportError
from cybergov.knowledge.canonical import canonical_checksum, canonical_nquads
from cybergov.namespaces import BASE
from cybergov.store.base import Store
from cybergov.store.embedded import EmbeddedStore

MEDIA_TYPE = "application/rdf-patch"
EXTENSION = "rdfp"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE}changes")


def store_lines(store: Store) -> list[str]:
    """The canonical N-Quads lines of everything ``store`` holds.

    Raises:
        StoreError: the store failed.
    """
    if isinstance(store, EmbeddedStore):
        return canonical_nquads(store.oxigraph.quads_for_pattern(None, None, None, None))
    buffer = io.BytesIO()
    store.export(buffer, RdfFormat.N_QUADS)
    return canonical_nquads(parse(buffer.getvalue(), RdfFormat.N_QUADS))


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """What changed from one side to the other, as canonical N-Quads lines."""

    source: str
    target: str
    source_checksum: str
    target_checksum: str
    removed: tuple[str, ...]
    added: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"uuid:{uuid.uuid5(_NAMESPACE, f'{self.source_checksum} {self.target_checksum}')}"

    def by_graph(self) -> dict[str, tuple[list[str], list[str]]]:
        """The removed and added lines of each named graph (``""``: the default graph)."""
        graphs: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
        for index, lines in enumerate((self.removed, self.added)):
            for line, graph in zip(lines, _graphs_of(lines), strict=True):
                graphs[graph][index].append(line)
        return dict(sorted(graphs.items()))

    def patch(self) -> str:
        """The change set as an RDF Patch (see the module's convention)."""
        out = [
            f"H id <{self.id}> .",
            f'H from "{self.source}" .',
            f'H fromChecksum "{self.source_checksum}" .',
            f'H to "{self.target}" .',
            f'H toChecksum "{self.target_checksum}" .',
            "TX .",
        ]
        for removed, added in self.by_graph().values():
            out += [f"D {line}" for line in removed]
            out += [f"A {line}" for line in added]
        out.append("TC .")
        return "\n".join(out) + "\n"


def _graphs_of(lines: Sequence[str]) -> list[str]:
    """The graph name of each canonical N-Quads line, in order."""
    if not lines:
        return []
    quads = list(parse(("\n".join(lines) + "\n").encode(), RdfFormat.N_QUADS))
    return [getattr(q.graph_name, "value", "") for q in quads]


def compare(
    source: str, source_lines: Sequence[str], target: str, target_lines: Sequence[str]
) -> ChangeSet:
    """The change set from one side (canonical N-Quads lines) to the other."""
    before, after = set(source_lines), set(target_lines)
    return ChangeSet(
        source=source,
        target=target,
        source_checksum=canonical_checksum(source_lines),
        target_checksum=canonical_checksum(target_lines),
        removed=tuple(sorted(before - after)),
        added=tuple(sorted(after - before)),
    )


@dataclass(frozen=True, slots=True)
class Patch:
    """An RDF Patch read back: its headers and its rows."""

    headers: dict[str, str]
    removed: tuple[str, ...]
    added: tuple[str, ...]


def read_patch(text: str) -> Patch:
    """Read an RDF Patch written by :meth:`ChangeSet.patch`.

    Raises:
        ExportError: a row is not a header, a transaction mark, an ``A`` or a ``D`` row.
    """
    headers: dict[str, str] = {}
    removed: list[str] = []
    added: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        code, _, rest = line.partition(" ")
        if code == "H":
            key, _, value = rest.removesuffix(" .").partition(" ")
            headers[key] = value.strip('"<>')
        elif code == "D":
            removed.append(rest)
        elif code == "A":
            added.append(rest)
        elif code not in ("TX", "TC", "TA") and line.strip():
            raise ExportError(f"line {number} of the patch is not an RDF Patch row: {line[:80]}")
    return Patch(headers, tuple(removed), tuple(added))


def apply_patch(lines: Iterable[str], patch: Patch) -> list[str]:
    """Apply a patch to canonical N-Quads lines; the lines of the target, sorted.

    Raises:
        ExportError: the copy is not the side the patch starts from (a deleted statement is
            missing or an added one is there already).
    """
    held = set(lines)
    missing = [line for line in patch.removed if line not in held]
    present = [line for line in patch.added if line in held]
    if missing or present:
        example = (missing or present)[0]
        raise ExportError(
            f"the copy is not {patch.headers.get('from', 'the source of the patch')}: "
            f"{len(missing)} deleted statements are missing and {len(present)} added ones "
            f"are there already (first: {example[:120]})"
        )
    held.difference_update(patch.removed)
    held.update(patch.added)
    return sorted(held)


__all__ = [
    "EXTENSION",
    "MEDIA_TYPE",
    "ChangeSet",
    "Patch",
    "apply_patch",
    "compare",
    "read_patch",
    "store_lines",
]
