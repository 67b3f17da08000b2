"""STIX 2.1 for CERT teams and threat-intelligence platforms: the graph's actors, incidents,
attributions and responses as STIX objects with deterministic identifiers."""

from cybergov.exchange.stix.bundle import MEDIA_TYPE, StixExport, export_stix, parse_since
from cybergov.exchange.stix.common import CONFIDENCE_SCALE
from cybergov.exchange.stix.ids import STIX_NAMESPACE, stix_id
from cybergov.exchange.stix.records import CURATED, IMPORT_GRAPH_PREFIX, import_graphs

__all__ = [
    "CONFIDENCE_SCALE",
    "CURATED",
    "IMPORT_GRAPH_PREFIX",
    "MEDIA_TYPE",
    "STIX_NAMESPACE",
    "StixExport",
    "export_stix",
    "import_graphs",
    "parse_since",
    "stix_id",
]
