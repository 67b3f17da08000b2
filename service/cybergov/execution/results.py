"""SELECT and ASK answers in the SPARQL 1.1 results formats: JSON, XML, CSV and TSV.

An answer (:class:`~cybergov.store.base.Solutions`, ``bool``) whose rows were cut at
the row cap says so, in JSON, in a top-level ``"truncated": true`` member placed
between ``head`` and ``results``, where SPARQL JSON readers (including pyoxigraph's)
skip it; the flag stays available as ``Solutions.truncated`` for the HTTP layer to put
in a header for the other formats. CONSTRUCT and DESCRIBE answers are RDF, written by
:func:`cybergov.rdf_formats.serialise`.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any, BinaryIO
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, NamedNode

from cybergov.errors import UnsupportedFormat
from cybergov.store.base import Solutions, Term

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"


@dataclass(frozen=True, slots=True)
class ResultsFormat:
    """A serialisation of SELECT and ASK answers."""

    name: str
    media_type: str
    extension: str


RESULTS_FORMATS: dict[str, ResultsFormat] = {
    "json": ResultsFormat("json", "application/sparql-results+json", "srj"),
    "xml": ResultsFormat("xml", "application/sparql-results+xml", "srx"),
    "csv": ResultsFormat("csv", "text/csv", "csv"),
    "tsv": ResultsFormat("tsv", "text/tab-separated-values", "tsv"),
}


def results_format(name: str) -> ResultsFormat:
    """The results format for a name (``json``, ``xml``, ``csv``, ``tsv``) or a media type.

    Raises:
        UnsupportedFormat: neither a known name nor a known media type.
    """
    key = name.strip().lower().split(";", 1)[0].strip()
    for candidate in RESULTS_FORMATS.values():
        if key in (candidate.name, candidate.media_type):
            return candidate
    if key == "application/json":
        return RESULTS_FORMATS["json"]
    known = ", ".join(RESULTS_FORMATS)
    raise UnsupportedFormat(f"unknown results format {name!r}; use one of {known}")


# --- JSON --------------------------------------------------------------------------------


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    encoded = {"type": "literal", "value": term.value}
    if term.language:
        encoded["xml:lang"] = term.language
    elif term.datatype.value != _XSD_STRING:
        encoded["datatype"] = term.datatype.value
    return encoded


def flag_truncation(body: bytes, truncated: bool) -> bytes:
    """A SPARQL JSON answer written by pyoxigraph (``{"head":{"vars":[...]},"results":...}``)
    with the ``"truncated"`` member this module writes, placed between head and results."""
    marker = b']},"results":'
    index = body.find(marker)
    if index < 0:
        return body
    index += 2
    flag = b'"truncated":true,' if truncated else b'"truncated":false,'
    return body[: index + 1] + flag + body[index + 1 :]


def _write_json(answer: Solutions | bool, output: BinaryIO) -> None:
    if isinstance(answer, bool):
        output.write(json.dumps({"head": {}, "boolean": answer}).encode())
        return
    head: dict[str, Any] = {"head": {"vars": list(answer.variables)}}
    output.write(json.dumps(head)[:-1].encode())
    output.write(
        f', "truncated": {json.dumps(answer.truncated)}, "results": {{"bindings": ['.encode()
    )
    for number, row in enumerate(answer.rows):
        binding = {
            name: _json_term(value)
            for name, value in zip(answer.variables, row, strict=True)
            if value is not None
        }
        output.write((", " if number else "").encode() + json.dumps(binding).encode())
    output.write(b"]}}")


# --- XML ---------------------------------------------------------------------------------


def _xml_term(term: Term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    attribute = ""
    if term.language:
        attribute = f" xml:lang={quoteattr(term.language)}"
    elif term.datatype.value != _XSD_STRING:
        attribute = f" datatype={quoteattr(term.datatype.value)}"
    return f"<literal{attribute}>{escape(term.value)}</literal>"


def _write_xml(answer: Solutions | bool, output: BinaryIO) -> None:
    output.write(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="{_RESULTS_NS}">\n'.encode()
    )
    if isinstance(answer, bool):
        output.write(f"<head/>\n<boolean>{str(answer).lower()}</boolean>\n</sparql>\n".encode())
        return
    variables = "".join(f"<variable name={quoteattr(name)}/>" for name in answer.variables)
    output.write(f"<head>{variables}</head>\n<results>\n".encode())
    for row in answer.rows:
        bindings = "".join(
            f"<binding name={quoteattr(name)}>{_xml_term(value)}</binding>"
            for name, value in zip(answer.variables, row, strict=True)
            if value is not None
        )
        output.write(f"<result>{bindings}</result>\n".encode())
    output.write(b"</results>\n</sparql>\n")


# --- CSV and TSV ---------------------------------------------------------------------------


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return term.value


def _write_csv(answer: Solutions | bool, output: BinaryIO) -> None:
    text = io.TextIOWrapper(output, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text, lineterminator="\r\n")
    if isinstance(answer, bool):
        writer.writerow(["true" if answer else "false"])
    else:
        writer.writerow(answer.variables)
        writer.writerows([_csv_value(value) for value in row] for row in answer.rows)
    text.detach()


def _tsv_value(term: Term | None) -> str:
    return "" if term is None else str(term)


def _write_tsv(answer: Solutions | bool, output: BinaryIO) -> None:
    if isinstance(answer, bool):
        output.write(b"true\n" if answer else b"false\n")
        return
    output.write(("\t".join(f"?{name}" for name in answer.variables) + "\n").encode())
    for row in answer.rows:
        output.write(("\t".join(_tsv_value(value) for value in row) + "\n").encode())


_WRITERS = {"json": _write_json, "xml": _write_xml, "csv": _write_csv, "tsv": _write_tsv}


def write_results(answer: Solutions | bool, output: BinaryIO, format: str | ResultsFormat) -> None:
    """Write a SELECT or ASK answer in a results format.

    Raises:
        UnsupportedFormat: the format is not json, xml, csv or tsv.
    """
    chosen = format if isinstance(format, ResultsFormat) else results_format(format)
    _WRITERS[chosen.name](answer, output)


def serialise_results(answer: Solutions | bool, format: str | ResultsFormat) -> bytes:
    """A SELECT or ASK answer as bytes in a results format (see :func:`write_results`)."""
    buffer = io.BytesIO()
    write_results(answer, buffer, format)
    return buffer.getvalue()
