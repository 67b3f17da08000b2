"""What partners take: the graph version, the dumps, the dataset description (VoID and
DCAT), the SPARQL service description, the description of each resource, and the
documentation of the ontology and the shapes."""

from cybergov.exchange.dumps import DUMP_FORMATS, DumpFile, DumpFormat, Dumps, dump_format
from cybergov.exchange.version import graph_version
from cybergov.exchange.void import DatasetDescription, describe_dataset

__all__ = [
    "DUMP_FORMATS",
    "DatasetDescription",
    "DumpFile",
    "DumpFormat",
    "Dumps",
    "describe_dataset",
    "dump_format",
    "graph_version",
]
