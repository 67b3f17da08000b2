"""The ontology's modules, found offline by following ``owl:imports`` from the root file.

Module IRIs ``https://w3id.org/cybergov/ontology/<name>`` resolve to
``ontology/modules/<name>.ttl``. An import that points elsewhere, or at a
module whose file is missing, fails loudly: the ontology never reaches the
network. Earlier releases are kept whole, one file each, in
``ontology/versions/<version>.ttl``: their version IRIs
(``https://w3id.org/cybergov/ontology/<version>``) stay resolvable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, parse

from cybergov.errors import OntologyImportError
from cybergov.namespaces import ONTOLOGY_IRI, graph_iri
from cybergov.rdf_formats import syntax_error
from cybergov.settings import data_folder

_OWL_IMPORTS = NamedNode("http://www.w3.org/2002/07/owl#imports")
_OWL_ONTOLOGY = NamedNode("http://www.w3.org/2002/07/owl#Ontology")
_RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
ROOT_FILE = "cybergov.ttl"
VERSIONS_FOLDER = "versions"
_VERSION = re.compile(r"\d+\.\d+\.\d+")


@dataclass(frozen=True, slots=True)
class OntologyModule:
    """One file of the ontology: its ontology IRI, its path and its named graph."""

    name: str
    iri: str
    path: Path

    @property
    def graph(self) -> str:
        return graph_iri("ontology", self.name)


def _imports_of(path: Path, iri: str) -> list[str]:
    try:
        triples = list(parse(path=str(path), format=RdfFormat.TURTLE))
    except SyntaxError as error:
        raise syntax_error(error, str(path)) from error
    declared = {
        t.subject.value for t in triples if t.predicate == _RDF_TYPE and t.object == _OWL_ONTOLOGY
    }
    if iri not in declared:
        raise OntologyImportError(
            f"{path}: the file is imported as <{iri}> but does not declare <{iri}> a owl:Ontology"
        )
    return sorted(
        t.object.value
        for t in triples
        if t.predicate == _OWL_IMPORTS and isinstance(t.object, NamedNode)
    )


def _module_path(folder: Path, iri: str, importer: Path) -> tuple[str, Path]:
    prefix = f"{ONTOLOGY_IRI}/"
    if not iri.startswith(prefix) or "/" in iri[len(prefix) :]:
        raise OntologyImportError(
            f"{importer}: owl:imports <{iri}> is not a cybergov module; the ontology loads "
            "offline, so declare reused external terms in modules/external.ttl instead"
        )
    name = iri[len(prefix) :]
    path = folder / "modules" / f"{name}.ttl"
    if not path.is_file():
        raise OntologyImportError(f"{importer}: owl:imports <{iri}>, but {path} does not exist")
    return name, path


def is_version(name: str) -> bool:
    """Whether ``name`` is a semantic version (``0.2.0``), not a module's name."""
    return _VERSION.fullmatch(name) is not None


def kept_versions(folder: Path | None = None) -> dict[str, Path]:
    """The earlier releases of the ontology kept whole, by version."""
    folder = (folder or data_folder("ontology")) / VERSIONS_FOLDER
    return {path.stem: path for path in sorted(folder.glob("*.ttl")) if is_version(path.stem)}


def ontology_modules(folder: Path | None = None) -> list[OntologyModule]:
    """The root file and every module it imports, directly or not, root first.

    Raises:
        OntologyImportError: an import cannot be resolved to a local module file.
        RdfSyntaxError: a file does not parse.
    """
    folder = folder or data_folder("ontology")
    root = OntologyModule("cybergov", ONTOLOGY_IRI, folder / ROOT_FILE)
    if not root.path.is_file():
        raise OntologyImportError(f"the ontology's root file {root.path} does not exist")
    found: dict[str, OntologyModule] = {root.iri: root}
    pending = [root]
    while pending:
        module = pending.pop()
        for imported in _imports_of(module.path, module.iri):
            if imported in found:
                continue
            name, path = _module_path(folder, imported, module.path)
            found[imported] = OntologyModule(name, imported, path)
            pending.append(found[imported])
    unused = {p.stem for p in (folder / "modules").glob("*.ttl")} - {m.name for m in found.values()}
    if unused:
        raise OntologyImportError(
            f"{folder / 'modules'}: {', '.join(sorted(unused))} not imported by the ontology; "
            "add an owl:imports for each module or remove the file"
        )
    return [root, *sorted((m for m in found.values() if m is not root), key=lambda m: m.name)]
