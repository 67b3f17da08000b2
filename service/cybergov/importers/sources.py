"""The sources an import can read, by the name the command line and the service use."""

from __future__ import annotations

from cybergov.errors import ResourceNotFound
from cybergov.importers.cfr import CfrImporter
from cybergov.importers.misp import MispImporter
from cybergov.importers.model import Importer
from cybergov.importers.stix import StixImporter

IMPORTERS: dict[str, type[Importer]] = {
    CfrImporter.source: CfrImporter,
    StixImporter.source: StixImporter,
    MispImporter.source: MispImporter,
}


def importer_for(source: str) -> Importer:
    """The importer of ``source``.

    Raises:
        ResourceNotFound: no importer reads that source.
    """
    if source not in IMPORTERS:
        raise ResourceNotFound(
            f"no importer reads {source!r}; the sources are {', '.join(sorted(IMPORTERS))}"
        )
    return IMPORTERS[source]()


__all__ = ["IMPORTERS", "importer_for"]
