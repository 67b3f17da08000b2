"""Dumps of the whole graph, written once per graph version and served from disk.

A dump is streamed from the store into a file (never held whole in memory),
gzipped in the same pass and hashed as it goes, so that its size and SHA-256
are known before anyone downloads it and every download of one version gets
the same bytes. Processes that share the dump folder agree on one set of
files per version: each writes its own, and the first to link its manifest
into place wins; the others discard theirs and use the winner's.

Dataset formats (N-Quads, TriG, JSON-LD) keep every named graph; triple
formats (N-Triples, Turtle) hold the union of the graphs, each triple once.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, RdfFormat, Triple, serialize
from pyoxigraph import Store as OxigraphStore

from cybergov.errors import ExportError, ResourceNotFound
from cybergov.exchange.version import graph_version
from cybergov.namespaces import PREFIXES
from cybergov.store.base import Store
from cybergov.store.embedded import EmbeddedStore

log = logging.getLogger(__name__)

DUMP_STEM = "cybergov"
_ATTEMPTS = 3
_KEPT_VERSIONS = 2
#: The folder of one graph version's dumps: the first 16 digits of the version.
_VERSION_DIR = re.compile(r"[0-9a-f]{16}")


@dataclass(frozen=True, slots=True)
class DumpFormat:
    """One format the whole graph is dumped in."""

    key: str
    label: str
    extension: str
    rdf_format: RdfFormat
    format_iri: str

    @property
    def media_type(self) -> str:
        return self.rdf_format.media_type

    @property
    def filename(self) -> str:
        return f"{DUMP_STEM}.{self.extension}"

    @property
    def keeps_graphs(self) -> bool:
        """Whether the format keeps the named graphs (else it holds their union)."""
        return self.rdf_format.supports_datasets


_FORMATS_NS = "http://www.w3.org/ns/formats/"

DUMP_FORMATS: tuple[DumpFormat, ...] = (
    DumpFormat("nquads", "N-Quads", "nq", RdfFormat.N_QUADS, f"{_FORMATS_NS}N-Quads"),
    DumpFormat("trig", "TriG", "trig", RdfFormat.TRIG, f"{_FORMATS_NS}TriG"),
    DumpFormat("jsonld", "JSON-LD", "jsonld", RdfFormat.JSON_LD, f"{_FORMATS_NS}JSON-LD"),
    DumpFormat("ntriples", "N-Triples", "nt", RdfFormat.N_TRIPLES, f"{_FORMATS_NS}N-Triples"),
    DumpFormat("turtle", "Turtle", "ttl", RdfFormat.TURTLE, f"{_FORMATS_NS}Turtle"),
)


def dump_format(filename: str) -> tuple[DumpFormat, bool]:
    """The format of a dump file name (``cybergov.nq``, ``cybergov.ttl.gz``) and whether gzipped.

    Raises:
        ResourceNotFound: no dump has that name.
    """
    compressed = filename.endswith(".gz")
    plain = filename.removesuffix(".gz")
    for candidate in DUMP_FORMATS:
        if candidate.filename == plain:
            return candidate, compressed
    names = ", ".join(f.filename for f in DUMP_FORMATS)
    raise ResourceNotFound(f"there is no dump named {filename!r}; the dumps are {names} (+ .gz)")


@dataclass(frozen=True, slots=True)
class DumpFile:
    """One file of a dump: where it is, its size and its SHA-256."""

    name: str
    path: Path
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Dump:
    """A dump of one graph version in one format, plain and gzipped."""

    format: DumpFormat
    version: str
    statements: int
    plain: DumpFile
    gzip: DumpFile

    def file(self, *, compressed: bool) -> DumpFile:
        return self.gzip if compressed else self.plain


class _Digest:
    """A binary sink that hashes and counts what it passes on to a file."""

    def __init__(self, target: BinaryIO) -> None:
        self.target = target
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.target.write(data)
        self.hash.update(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        self.target.flush()


class _Tee:
    """What the serialiser writes to: the plain file and the gzip stream, both hashed."""

    def __init__(self, plain: _Digest, compressed: gzip.GzipFile) -> None:
        self.plain = plain
        self.compressed = compressed

    def write(self, data: bytes | bytearray | memoryview) -> int:
        chunk = bytes(data)
        self.plain.write(chunk)
        self.compressed.write(chunk)
        return len(chunk)

    def flush(self) -> None:
        self.plain.flush()


def distinct_union(store: OxigraphStore) -> Iterator[Triple]:
    """Every triple of every graph once, without holding the set of triples seen.

    Graphs are read in a fixed order; a triple is given when it is met in the
    first graph, in that order, that holds it.
    """
    named = sorted(
        (g for g in store.named_graphs() if isinstance(g, NamedNode)), key=lambda g: g.value
    )
    graphs: list[NamedNode | DefaultGraph] = [DefaultGraph(), *named]
    rank: dict[NamedNode | BlankNode | DefaultGraph, int] = {
        graph: index for index, graph in enumerate(graphs)
    }
    for index, graph in enumerate(graphs):
        for quad in store.quads_for_pattern(None, None, None, graph):
            holders = store.quads_for_pattern(quad.subject, quad.predicate, quad.object, None)
            if min(rank.get(other.graph_name, index) for other in holders) == index:
                yield quad.triple


class _Counter:
    """Counts the statements an iterator yields."""

    def __init__(self) -> None:
        self.count = 0

    def quads(self, items: Iterator[Quad]) -> Iterator[Quad]:
        for item in items:
            self.count += 1
            yield item

    def triples(self, items: Iterator[Triple]) -> Iterator[Triple]:
        for item in items:
            self.count += 1
            yield item


def write_dump(store: Store, dump_format: DumpFormat, output: _Tee) -> int:
    """Stream the whole store into ``output`` in one format; return the statements written.

    Raises:
        StoreError: the store failed.
    """
    rdf_format = dump_format.rdf_format
    prefixes = PREFIXES if rdf_format in (RdfFormat.TURTLE, RdfFormat.TRIG) else None
    sink = cast(BinaryIO, output)
    if not isinstance(store, EmbeddedStore):
        store.export(sink, rdf_format)
        return len(store)
    counter = _Counter()
    source = store.oxigraph
    if dump_format.keeps_graphs:
        quads = counter.quads(source.quads_for_pattern(None, None, None, None))
        serialize(quads, sink, rdf_format, prefixes=prefixes)
    else:
        serialize(counter.triples(distinct_union(source)), sink, rdf_format, prefixes=prefixes)
    return counter.count


class Dumps:
    """The dumps of one store, written into ``folder`` once per graph version.

    Args:
        store: the store to dump.
        folder: where the files go; processes serving the same data may share it.
    """

    def __init__(self, store: Store, folder: Path) -> None:
        self.store = store
        self.folder = folder
        self._known: dict[tuple[str, str], Dump] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def version(self) -> str:
        """The current graph version of the store."""
        return graph_version(self.store)

    def get(self, dump_format: DumpFormat, *, version: str | None = None) -> Dump:
        """The dump of the current graph version in one format, written if needed.

        Raises:
            ExportError: the files could not be written, or the graph kept changing.
            StoreError: the store failed.
        """
        version = version or self.version()
        for _attempt in range(_ATTEMPTS):
            key = (version, dump_format.key)
            with self._lock(key):
                found = self._known.get(key)
                if found is None or not (found.plain.path.is_file() and found.gzip.path.is_file()):
                    found = self._read_manifest(version, dump_format)
                if found is None:
                    found = self._write(version, dump_format)
                if found is not None:
                    self._known[key] = found
                    return found
            version = self.version()
        raise ExportError(
            f"the graph changed {_ATTEMPTS} times while the {dump_format.label} dump was written"
        )

    def all(self) -> tuple[str, list[Dump]]:
        """The current version and its dump in every format."""
        version = self.version()
        dumps = [self.get(f, version=version) for f in DUMP_FORMATS]
        return dumps[0].version, dumps

    def _lock(self, key: tuple[str, str]) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _manifest(self, version: str, dump_format: DumpFormat) -> Path:
        return self.folder / version[:16] / f"{dump_format.key}.json"

    def _read_manifest(self, version: str, dump_format: DumpFormat) -> Dump | None:
        path = self._manifest(version, dump_format)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            raise ExportError(f"the dump manifest {path} cannot be read: {error}") from error
        files = {
            kind: DumpFile(
                name=data[kind]["name"],
                path=path.parent / data[kind]["path"],
                size=int(data[kind]["size"]),
                sha256=str(data[kind]["sha256"]),
            )
            for kind in ("plain", "gzip")
        }
        if data.get("version") != version or not all(f.path.is_file() for f in files.values()):
            # Files cleaned away under the manifest: forget it, so that they are written again.
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        return Dump(dump_format, version, int(data["statements"]), files["plain"], files["gzip"])

    def _write(self, version: str, dump_format: DumpFormat) -> Dump | None:
        """Write the dump; ``None`` when the graph changed meanwhile (nothing is kept then)."""
        version_dir = self.folder / version[:16]
        work = version_dir / f"{dump_format.key}-{uuid.uuid4().hex}"
        try:
            work.mkdir(parents=True)
            plain_path = work / dump_format.filename
            gzip_path = work / f"{dump_format.filename}.gz"
            with plain_path.open("wb") as plain_out, gzip_path.open("wb") as gzip_out:
                plain = _Digest(plain_out)
                packed = _Digest(gzip_out)
                with gzip.GzipFile(
                    filename="", mode="wb", fileobj=packed, mtime=0, compresslevel=6
                ) as stream:
                    statements = write_dump(self.store, dump_format, _Tee(plain, stream))
            if self.version() != version:
                log.info("the graph changed while the %s dump was written", dump_format.label)
                shutil.rmtree(work, ignore_errors=True)
                return None
            manifest = {
                "version": version,
                "format": dump_format.key,
                "statements": statements,
                "plain": _entry(dump_format.filename, work, plain),
                "gzip": _entry(f"{dump_format.filename}.gz", work, packed),
            }
            claimed = self._claim(version, dump_format, manifest)
        except OSError as error:
            shutil.rmtree(work, ignore_errors=True)
            raise ExportError(
                f"cannot write the {dump_format.label} dump into {version_dir}: {error}"
            ) from error
        if not claimed:
            shutil.rmtree(work, ignore_errors=True)
            return self._read_manifest(version, dump_format)
        log.info(
            "wrote the %s dump of version %s: %d statements, %d bytes",
            dump_format.label,
            version[:16],
            statements,
            plain.size,
        )
        self._forget_old_versions(version_dir)
        return self._read_manifest(version, dump_format)

    def _claim(self, version: str, dump_format: DumpFormat, manifest: dict[str, object]) -> bool:
        """Link the manifest into place unless another process did first."""
        target = self._manifest(version, dump_format)
        draft = target.with_name(f"{target.stem}-{uuid.uuid4().hex}.draft")
        draft.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        try:
            os.link(draft, target)
        except FileExistsError:
            return False
        finally:
            draft.unlink()
        return True

    def _forget_old_versions(self, current: Path) -> None:
        versions = sorted(
            (
                p
                for p in self.folder.iterdir()
                if p.is_dir() and p != current and _VERSION_DIR.fullmatch(p.name)
            ),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for stale in versions[_KEPT_VERSIONS - 1 :]:
            with contextlib.suppress(OSError):
                shutil.rmtree(stale)


def _entry(name: str, work: Path, digest: _Digest) -> dict[str, object]:
    return {
        "name": name,
        "path": f"{work.name}/{name}",
        "size": digest.size,
        "sha256": digest.hash.hexdigest(),
    }
