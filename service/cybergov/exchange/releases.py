"""Versioned releases: the graph frozen under a semantic version of the data and a date.

A release is a folder named after its version, never written again once made::

    releases/1.2.0/
        cybergov.nq(.gz) cybergov.trig(.gz) cybergov.jsonld(.gz) cybergov.nt(.gz) cybergov.ttl(.gz)
        cybergov.canonical.nq      the canonical N-Quads: its SHA-256 is the release checksum
        tables/                    the research tables of this version (datapackage.json...)
        release.json               version, date, graph version, checksum, every file's SHA-256
        dcat.ttl                   the release as a DCAT dataset with one distribution per format
        CITATION.cff               how to cite it (Citation File Format 1.2.0)
        datacite.json              the same in the DataCite metadata schema (JSON)
        SHA256SUMS                 for sha256sum -c

The persistent URL of each file is ``{base}{version}/{file}``, the base being
``https://w3id.org/cybergov/releases/`` unless given; the service serves the same files
at ``/releases/{version}/{file}``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, parse, serialize

from cybergov.errors import ExportError, ResourceNotFound
from cybergov.exchange.changesets import ChangeSet, compare, store_lines
from cybergov.exchange.dumps import DUMP_FORMATS, Dumps
from cybergov.exchange.tables import read_tables, write_tables
from cybergov.exchange.version import graph_version
from cybergov.exchange.void import (
    DATASET_IRI,
    DESCRIPTION,
    KEYWORDS,
    LICENCE,
    PUBLISHER,
    PUBLISHER_IRI,
    TITLE,
)
from cybergov.execution import QueryRunner
from cybergov.knowledge.canonical import canonical_checksum, canonical_nquads
from cybergov.namespaces import BASE, CG, DCAT, PREFIXES, VOCABULARY_PREFIXES
from cybergov.settings import Settings
from cybergov.store.base import Store

#: Where releases are published for good; w3id redirects to the service's /releases/.
PERSISTENT_BASE = f"{BASE}releases/"
CANONICAL_FILENAME = "cybergov.canonical.nq"
MANIFEST_FILENAME = "release.json"
SUMS_FILENAME = "SHA256SUMS"
TABLES_FOLDER = "tables"
#: The name of the live store as the target of a change set.
LIVE = "live"
#: A semantic version (https://semver.org), without build metadata.
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?")

_RDF = VOCABULARY_PREFIXES["rdf"]
_DCT = VOCABULARY_PREFIXES["dct"]
_XSD = VOCABULARY_PREFIXES["xsd"]
_OWL = VOCABULARY_PREFIXES["owl"]
_SPDX = "http://spdx.org/rdf/terms#"


def release_folder(settings: Settings) -> Path:
    """Where releases are kept: the ``release_dir`` setting, else ``releases/`` beside the
    on-disk store, else ``releases/`` in the working folder."""
    if settings.release_dir is not None:
        return settings.release_dir
    if settings.store is not None:
        return settings.store.resolve().parent / "releases"
    return Path("releases")


def version_key(version: str) -> tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]:
    """The order of semantic versions (a pre-release comes before its release).

    Raises:
        ExportError: ``version`` is not a semantic version.
    """
    match = SEMVER.fullmatch(version)
    if not match:
        raise ExportError(
            f"{version!r} is not a semantic version of the data (MAJOR.MINOR.PATCH, as 1.2.0)"
        )
    major, minor, patch, pre = match.groups()
    parts = tuple((0, int(p)) if p.isdigit() else (1, p) for p in (pre.split(".") if pre else ()))
    return int(major), int(minor), int(patch), 0 if pre else 1, parts


@dataclass(frozen=True, slots=True)
class ReleaseFile:
    """One file of a release."""

    name: str
    media_type: str
    size: int
    sha256: str
    format: str | None = None


@dataclass(frozen=True, slots=True)
class Release:
    """A release as its manifest describes it."""

    version: str
    date: str
    graph_version: str
    checksum: str
    statements: int
    previous: str | None
    files: tuple[ReleaseFile, ...]
    folder: Path

    def file(self, name: str) -> ReleaseFile:
        """Raises: ResourceNotFound: the release has no file of that name."""
        for candidate in self.files:
            if candidate.name == name:
                return candidate
        raise ResourceNotFound(f"release {self.version} has no file named {name!r}")

    def path(self, name: str) -> Path:
        """The path of one of its files. Raises: ResourceNotFound: it has none of that name."""
        return self.folder / self.file(name).name

    def canonical_lines(self) -> list[str]:
        """The lines of its canonical N-Quads."""
        text = self.path(CANONICAL_FILENAME).read_text(encoding="utf-8")
        return text.splitlines()


def _media_type(name: str) -> str:
    if name.endswith(".gz"):
        return "application/gzip"
    for dump in DUMP_FORMATS:
        if name == dump.filename:
            return dump.media_type
    if name.endswith(".nq"):
        return "application/n-quads"
    suffixes = {
        ".csv": "text/csv",
        ".json": "application/json",
        ".zip": "application/zip",
        ".ttl": "text/turtle",
        ".cff": "application/x-yaml",
    }
    return next((t for s, t in suffixes.items() if name.endswith(s)), "text/plain")


def _describe(folder: Path, name: str, fmt: str | None = None) -> ReleaseFile:
    body = (folder / name).read_bytes()
    return ReleaseFile(name, _media_type(name), len(body), hashlib.sha256(body).hexdigest(), fmt)


class Releases:
    """The releases kept in one folder.

    Args:
        folder: the releases folder (see :func:`release_folder`).
        base: the persistent base URL of the releases, ending with ``/``.
    """

    def __init__(self, folder: Path, *, base: str = PERSISTENT_BASE) -> None:
        self.folder = folder
        self.base = base

    def versions(self) -> list[str]:
        """The versions released, oldest first."""
        if not self.folder.is_dir():
            return []
        found = [
            p.name
            for p in self.folder.iterdir()
            if SEMVER.fullmatch(p.name) and (p / MANIFEST_FILENAME).is_file()
        ]
        return sorted(found, key=version_key)

    def get(self, version: str) -> Release:
        """Raises: ResourceNotFound: no release has that version."""
        if not SEMVER.fullmatch(version):
            raise ResourceNotFound(f"{version!r} is not the version of a release")
        folder = self.folder / version
        try:
            data = json.loads((folder / MANIFEST_FILENAME).read_text(encoding="utf-8"))
        except FileNotFoundError:
            known = ", ".join(self.versions()) or "none yet"
            raise ResourceNotFound(
                f"there is no release {version}; the releases are {known}"
            ) from None
        except (OSError, ValueError) as error:
            raise ExportError(
                f"the manifest of release {version} cannot be read: {error}"
            ) from error
        files = tuple(
            ReleaseFile(f["name"], f["media_type"], int(f["size"]), f["sha256"], f.get("format"))
            for f in data["files"]
        )
        return Release(
            version=data["version"],
            date=data["date"],
            graph_version=data["graph_version"],
            checksum=data["checksum"],
            statements=int(data["statements"]),
            previous=data.get("previous"),
            files=files,
            folder=folder,
        )

    def changes(
        self, source: str, target: str | None = None, *, store: Store | None = None
    ) -> ChangeSet:
        """The change set from release ``source`` to release ``target``, or, with no
        target, to what ``store`` holds now (named ``live``).

        Raises:
            ResourceNotFound: a release is missing.
            ExportError: neither a target release nor a store is given.
            StoreError: the store failed.
        """
        before = self.get(source)
        if target is not None:
            after = self.get(target)
            return compare(source, before.canonical_lines(), target, after.canonical_lines())
        if store is None:
            raise ExportError("a change set needs a target: a release, or the live store")
        return compare(source, before.canonical_lines(), LIVE, store_lines(store))

    def url(self, version: str, name: str = "") -> str:
        return f"{self.base}{version}/{name}"

    def freeze(self, runner: QueryRunner, version: str, *, on: date | None = None) -> Release:
        """Freeze the store ``runner`` reads as release ``version`` of ``on`` (today).

        Raises:
            ExportError: the version is not a semantic version, is released already or is
                not above every release; or the files could not be written.
            StoreError: the store failed.
        """
        key = version_key(version)
        existing = self.versions()
        if version in existing:
            raise ExportError(f"release {version} exists; a release is never made again")
        if existing and key <= version_key(existing[-1]):
            raise ExportError(
                f"release {version} would not come after the latest release, {existing[-1]}"
            )
        issued = (on or date.today()).isoformat()
        previous = existing[-1] if existing else None
        work = self.folder / f".{version}-{uuid.uuid4().hex}"
        try:
            work.mkdir(parents=True)
            self._write(runner, work, version, issued, previous)
            os.rename(work, self.folder / version)
        except OSError as error:
            shutil.rmtree(work, ignore_errors=True)
            raise ExportError(
                f"cannot write release {version} in {self.folder}: {error}"
            ) from error
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        return self.get(version)

    def _write(
        self, runner: QueryRunner, work: Path, version: str, issued: str, previous: str | None
    ) -> None:
        store = runner.store
        graph = graph_version(store)
        files: list[ReleaseFile] = []
        scratch = work / ".dumps"
        dumps = Dumps(store, scratch)
        statements = 0
        for dump_format in DUMP_FORMATS:
            dump = dumps.get(dump_format, version=graph)
            for kept in (dump.plain, dump.gzip):
                shutil.copyfile(kept.path, work / kept.name)
                files.append(_describe(work, kept.name, dump_format.key))
            if dump_format.keeps_graphs:
                statements = dump.statements
        shutil.rmtree(scratch)
        nquads = next(f for f in DUMP_FORMATS if f.rdf_format is RdfFormat.N_QUADS)
        with (work / nquads.filename).open("rb") as dumped:
            lines = canonical_nquads(parse(dumped, RdfFormat.N_QUADS))
        with (work / CANONICAL_FILENAME).open("w", encoding="utf-8", newline="\n") as out:
            for line in lines:
                out.write(f"{line}\n")
        checksum = canonical_checksum(lines)
        files.append(_describe(work, CANONICAL_FILENAME, "canonical"))
        tables = write_tables(
            read_tables(runner, version=version),
            work / TABLES_FOLDER,
            created=f"{issued}T00:00:00Z",
        )
        files += [
            ReleaseFile(f"{TABLES_FOLDER}/{t.name}", t.media_type, t.size, t.sha256, "tables")
            for t in tables
        ]
        if graph_version(store) != graph:
            raise ExportError("the graph changed while the release was written; run it again")
        manifest: dict[str, Any] = {
            "version": version,
            "date": issued,
            "graph_version": graph,
            "checksum": checksum,
            "checksum_of": CANONICAL_FILENAME,
            "statements": statements,
            "previous": previous,
            "licence": LICENCE,
            "url": self.url(version),
        }
        described = {"version": version, "date": issued, "previous": previous}
        (work / "CITATION.cff").write_text(citation_cff(described, self.url(version)))
        (work / "datacite.json").write_text(
            json.dumps(datacite(described, self.url(version), self.base, files), indent=2) + "\n"
        )
        with (work / "dcat.ttl").open("wb") as out:
            serialize(
                dcat_triples(described, self.url(version), self.base, files, checksum),
                out,
                RdfFormat.TURTLE,
                prefixes={**PREFIXES, "spdx": _SPDX},
            )
        files += [_describe(work, n) for n in ("CITATION.cff", "datacite.json", "dcat.ttl")]
        manifest["files"] = [
            {"name": f.name, "media_type": f.media_type, "size": f.size, "sha256": f.sha256}
            | ({"format": f.format} if f.format else {})
            for f in files
        ]
        (work / MANIFEST_FILENAME).write_text(json.dumps(manifest, indent=2) + "\n")
        sums = [f"{f.sha256}  {f.name}" for f in [*files, _describe(work, MANIFEST_FILENAME)]]
        (work / SUMS_FILENAME).write_text("\n".join(sums) + "\n")


def citation_cff(release: dict[str, Any], url: str) -> str:
    """The CITATION.cff of a release (Citation File Format 1.2.0)."""
    keywords = "".join(f"  - {json.dumps(k)}\n" for k in KEYWORDS)
    return (
        "cff-version: 1.2.0\n"
        'message: "If you use this data, please cite it as below."\n'
        "type: dataset\n"
        f"title: {json.dumps(TITLE)}\n"
        f"version: {json.dumps(release['version'])}\n"
        f"date-released: {json.dumps(release['date'])}\n"
        "authors:\n"
        f"  - name: {json.dumps(PUBLISHER)}\n"
        "license: CC-BY-4.0\n"
        f"url: {json.dumps(url)}\n"
        f"repository-artifact: {json.dumps(url)}\n"
        f"abstract: {json.dumps(DESCRIPTION)}\n"
        f"keywords:\n{keywords}"
    )


def datacite(
    release: dict[str, Any], url: str, base: str, files: list[ReleaseFile]
) -> dict[str, Any]:
    """The release in the DataCite Metadata Schema 4 (its JSON form, as the DataCite REST
    API takes it in ``attributes``)."""
    related = [
        {
            "relatedIdentifier": DATASET_IRI,
            "relatedIdentifierType": "URL",
            "relationType": "IsVersionOf",
        }
    ]
    if release["previous"]:
        related.append(
            {
                "relatedIdentifier": f"{base}{release['previous']}/",
                "relatedIdentifierType": "URL",
                "relationType": "IsNewVersionOf",
            }
        )
    return {
        "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Knowledge graph"},
        "titles": [{"title": TITLE, "lang": "en"}],
        "creators": [{"name": PUBLISHER, "nameType": "Organizational"}],
        "publisher": {"name": PUBLISHER},
        "publicationYear": release["date"][:4],
        "version": release["version"],
        "dates": [{"date": release["date"], "dateType": "Issued"}],
        "language": "en",
        "descriptions": [{"description": DESCRIPTION, "descriptionType": "Abstract"}],
        "subjects": [{"subject": keyword} for keyword in KEYWORDS],
        "rightsList": [
            {
                "rights": "Creative Commons Attribution 4.0 International",
                "rightsUri": LICENCE,
                "rightsIdentifier": "cc-by-4.0",
                "rightsIdentifierScheme": "SPDX",
            }
        ],
        "formats": sorted({f.media_type for f in files}),
        "sizes": [f"{sum(f.size for f in files)} bytes"],
        "url": url,
        "relatedIdentifiers": related,
        "schemaVersion": "http://datacite.org/schema/kernel-4",
    }


def dcat_triples(
    release: dict[str, Any], url: str, base: str, files: list[ReleaseFile], checksum: str
) -> list[Triple]:
    """The release as a DCAT dataset, a version of the cybergov dataset, with one
    distribution per dump format and file, each with its size and SHA-256."""
    out: list[Triple] = []
    node = NamedNode(url)

    def add(
        subject: NamedNode | BlankNode, predicate: str, obj: NamedNode | BlankNode | Literal
    ) -> None:
        out.append(Triple(subject, NamedNode(predicate), obj))

    add(node, f"{_RDF}type", NamedNode(f"{DCAT}Dataset"))
    add(node, f"{_DCT}title", Literal(f"{TITLE}, release {release['version']}", language="en"))
    add(node, f"{_DCT}description", Literal(DESCRIPTION, language="en"))
    add(node, f"{_DCT}isVersionOf", NamedNode(DATASET_IRI))
    add(node, f"{DCAT}version", Literal(release["version"]))
    add(node, f"{_OWL}versionInfo", Literal(release["version"]))
    add(node, f"{_DCT}issued", Literal(release["date"], datatype=NamedNode(f"{_XSD}date")))
    add(node, f"{_DCT}license", NamedNode(LICENCE))
    add(node, f"{_DCT}publisher", NamedNode(PUBLISHER_IRI))
    add(node, f"{_DCT}creator", NamedNode(PUBLISHER_IRI))
    add(node, f"{DCAT}landingPage", node)
    if release["previous"]:
        add(node, f"{DCAT}previousVersion", NamedNode(f"{base}{release['previous']}/"))
    for keyword in KEYWORDS:
        add(node, f"{DCAT}keyword", Literal(keyword, language="en"))
    for item in files:
        if item.format is None or (item.format == "tables" and item.name.endswith(".csv")):
            continue
        distribution = NamedNode(f"{url}{item.name}")
        add(node, f"{DCAT}distribution", distribution)
        add(distribution, f"{_RDF}type", NamedNode(f"{DCAT}Distribution"))
        add(distribution, f"{DCAT}downloadURL", distribution)
        add(
            distribution,
            f"{DCAT}mediaType",
            NamedNode(f"https://www.iana.org/assignments/media-types/{item.media_type}"),
        )
        add(
            distribution,
            f"{DCAT}byteSize",
            Literal(str(item.size), datatype=NamedNode(f"{_XSD}nonNegativeInteger")),
        )
        add(distribution, f"{_DCT}license", NamedNode(LICENCE))
        add(distribution, f"{_DCT}title", Literal(item.name))
        digest = BlankNode()
        add(distribution, f"{_SPDX}checksum", digest)
        add(digest, f"{_RDF}type", NamedNode(f"{_SPDX}Checksum"))
        add(digest, f"{_SPDX}algorithm", NamedNode(f"{_SPDX}checksumAlgorithm_sha256"))
        add(
            digest,
            f"{_SPDX}checksumValue",
            Literal(item.sha256, datatype=NamedNode(f"{_XSD}hexBinary")),
        )
    add(node, str(CG.sha256), Literal(checksum))
    return out


__all__ = [
    "CANONICAL_FILENAME",
    "LIVE",
    "PERSISTENT_BASE",
    "Release",
    "ReleaseFile",
    "Releases",
    "release_folder",
    "version_key",
]
