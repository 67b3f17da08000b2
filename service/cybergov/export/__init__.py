"""What leaves the store whole: the graph version, the dumps and the dataset description."""

from cybergov.export.dumps import DUMP_FORMATS, DumpFile, DumpFormat, Dumps, dump_format
from cybergov.export.version import graph_version
from cybergov.export.void import DatasetDescription, describe_dataset

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
