"""The real SPARQL servers the tests start on 127.0.0.1 (see :mod:`cybergov.store.local_servers`)."""

from cybergov.store.local_servers import (
    VIRTUOSO_WRITER,
    OxigraphServer,
    VirtuosoServer,
    free_port,
    stop_process,
    virtuoso_binaries,
)

__all__ = [
    "VIRTUOSO_WRITER",
    "OxigraphServer",
    "VirtuosoServer",
    "free_port",
    "stop_process",
    "virtuoso_binaries",
]
