"""The codebook of the research tables and their Frictionless Data Package.

The codebook has one row per column of every table: its meaning, its type, whether it
holds several values (joined by ``;``), the values it allows (the concepts of a concept
scheme of the graph, or the classes a record may have), and where the value comes from.
``datapackage.json`` says the same in Table Schema terms (types, ``enum`` and
``pattern`` constraints, primary and foreign keys), with the licence and the sources,
so that ``frictionless validate datapackage.json`` checks every cell.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from cybergov.exchange.table_specs import (
    CODEBOOK_FILENAME,
    ENTITIES_FILENAME,
    SEPARATOR,
    TABLES,
    ColumnSpec,
    TableSpec,
    ValueKind,
)
from cybergov.exchange.void import DESCRIPTION, KEYWORDS, LICENCE, PUBLISHER, TITLE
from cybergov.namespaces import BASE

DATAPACKAGE_FILENAME = "datapackage.json"
PACKAGE_NAME = "cybergov-tables"
CODEBOOK_COLUMNS = (
    "table",
    "column",
    "meaning",
    "type",
    "multiple",
    "allowed_values",
    "scheme",
    "source",
)

Allowed = dict[tuple[str, str], tuple[str, ...]]


def _type_words(column: ColumnSpec) -> str:
    if column.kind is ValueKind.DATE:
        return "date"
    if column.kind in (ValueKind.REFERENCE, ValueKind.CONCEPT, ValueKind.ID, ValueKind.CLASS):
        return "identifier"
    return "url" if column.kind in (ValueKind.URL, ValueKind.IRI) else "string"


def codebook_rows(allowed: Allowed) -> list[dict[str, str]]:
    """One row per column of every table (``CODEBOOK_COLUMNS``)."""
    rows: list[dict[str, str]] = []
    for spec in TABLES:
        for column in spec.columns:
            rows.append(
                {
                    "table": spec.name,
                    "column": column.name,
                    "meaning": column.meaning,
                    "type": _type_words(column),
                    "multiple": "true" if column.multiple else "false",
                    "allowed_values": SEPARATOR.join(allowed.get((spec.name, column.name), ())),
                    "scheme": column.scheme or "",
                    "source": column.source,
                }
            )
    return rows


def _constraints(column: ColumnSpec, values: tuple[str, ...]) -> dict[str, Any]:
    constraints: dict[str, Any] = {}
    if column.kind in (ValueKind.ID, ValueKind.IRI):
        constraints["required"] = True
        constraints["unique"] = True
    if not values:
        return constraints
    if column.multiple or column.kind is ValueKind.CLASS:
        one = "|".join(re.escape(v) for v in values)
        constraints["pattern"] = f"(?:{one})(?:{re.escape(SEPARATOR)}(?:{one}))*"
    else:
        constraints["enum"] = list(values)
    return constraints


def _field(spec: TableSpec, column: ColumnSpec, allowed: Allowed) -> dict[str, Any]:
    described: dict[str, Any] = {
        "name": column.name,
        "type": column.frictionless_type,
        "description": column.meaning
        + (f" Several values are sorted and joined by '{SEPARATOR}'." if column.multiple else ""),
    }
    if column.kind is ValueKind.DATE:
        described["format"] = "%Y-%m-%d"
    if column.predicate:
        described["rdfType"] = column.predicate
    constraints = _constraints(column, allowed.get((spec.name, column.name), ()))
    if constraints:
        described["constraints"] = constraints
    return described


def _string_fields(*names: str) -> list[dict[str, Any]]:
    return [{"name": name, "type": "string"} for name in names]


def _resource(
    name: str, filename: str, body: bytes, schema: dict[str, Any], digest: str | None
) -> dict[str, Any]:
    return {
        "name": name,
        "path": filename,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(body),
        "hash": f"sha256:{digest or hashlib.sha256(body).hexdigest()}",
        "schema": schema,
    }


def datapackage(
    documents: dict[str, bytes],
    allowed: Allowed,
    *,
    version: str,
    created: str | None = None,
    digests: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The ``datapackage.json`` of the tables whose files are ``documents``, ``allowed``
    giving the values each column allows (as the codebook does); ``digests``, the SHA-256
    of files already hashed (in hexadecimal, by name)."""
    digests = digests or {}
    resources: list[dict[str, Any]] = []
    for spec in TABLES:
        fields = [_field(spec, c, allowed) for c in spec.columns]
        resources.append(
            _resource(
                spec.name,
                spec.filename,
                documents[spec.filename],
                {"fields": fields, "primaryKey": ["id"]},
                digests.get(spec.filename),
            )
        )
        resources.append(
            _resource(
                f"{spec.name}-values",
                spec.values_filename,
                documents[spec.values_filename],
                {
                    "fields": _string_fields("id", "column", "value", "value_iri"),
                    "primaryKey": ["id", "column", "value"],
                    "foreignKeys": [
                        {"fields": ["id"], "reference": {"resource": spec.name, "fields": ["id"]}}
                    ],
                },
                digests.get(spec.values_filename),
            )
        )
    resources.append(
        _resource(
            "entities",
            ENTITIES_FILENAME,
            documents[ENTITIES_FILENAME],
            {"fields": _string_fields("id", "iri", "label"), "primaryKey": ["id"]},
            digests.get(ENTITIES_FILENAME),
        )
    )
    resources.append(
        _resource(
            "codebook",
            CODEBOOK_FILENAME,
            documents[CODEBOOK_FILENAME],
            {"fields": _string_fields(*CODEBOOK_COLUMNS), "primaryKey": ["table", "column"]},
            digests.get(CODEBOOK_FILENAME),
        )
    )
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": f"{TITLE} (research tables)",
        "description": DESCRIPTION
        + " One table per kind of record, one row per record; see codebook.csv.",
        "version": version,
        "homepage": BASE,
        "keywords": list(KEYWORDS),
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "path": LICENCE,
                "title": "Creative Commons Attribution 4.0 International",
            }
        ],
        "sources": [
            {
                "title": "The cybergov knowledge graph (each row's own public sources are in "
                "its 'sources' column)",
                "path": BASE,
            }
        ],
        "contributors": [{"title": PUBLISHER, "role": "author"}],
        "resources": resources,
    }
    if created:
        package["created"] = created
    return package


__all__ = ["CODEBOOK_COLUMNS", "DATAPACKAGE_FILENAME", "codebook_rows", "datapackage"]
