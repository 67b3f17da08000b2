"""SELECT answers read whole for an export, as the engine writes them in SPARQL TSV.

An export reads hundreds of thousands of rows. Made into term objects, they cost more
than the engine takes to find them; written by the query workers in SPARQL TSV
(:meth:`QueryRunner.query_results`), each row is one line of terms in their N-Triples
form, split here. An embedded store and a remote one give the same terms: the remote
one's answer is written by :func:`cybergov.execution.results.serialise_results`, where
a number is a typed literal rather than bare, and :func:`literal` reads both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cybergov.errors import ExportError
from cybergov.execution import QueryRunner


def read_tsv(runner: QueryRunner, sparql: str, what: str) -> bytes:
    """The whole answer of a SELECT query in SPARQL TSV (an export's own reading: neither
    the row cap nor the answer size cap of queries from outside applies).

    Raises:
        ExportError: the answer was cut all the same.
        QueryTimeout: the query ran past the deadline.
        StoreError: the store failed.
    """
    answer = runner.query_results(sparql, "tsv", whole=True)
    if answer.truncated:
        raise ExportError(f"the answer for the {what} was cut: it cannot be exported whole")
    return answer.body


def tsv_lines(body: bytes, what: str, names: tuple[str, ...]) -> list[str]:
    """The lines of rows of a TSV answer that projects ``names`` (its header checked).

    Raises:
        ExportError: the answer has other variables.
    """
    lines = body.decode("utf-8").split("\n")
    if tuple(name.removeprefix("?") for name in lines[0].split("\t")) != names:
        raise ExportError(f"the answer for the {what} does not have the variables {names}")
    if lines[-1] == "":
        lines.pop()
    del lines[0]
    return lines


def tsv_rows(body: bytes, what: str, names: tuple[str, ...]) -> Iterator[list[str]]:
    """The rows of a TSV answer that projects ``names``, each a list of terms.

    Raises:
        ExportError: the answer has other variables.
    """
    for line in tsv_lines(body, what, names):
        if line:
            yield line.split("\t")


def tsv_columns(body: bytes, what: str, names: tuple[str, ...]) -> list[list[str]]:
    """The columns of a TSV answer that projects ``names`` (its header checked), each the
    list of its terms in row order.

    Read without a split per line: a term never holds a tab or a line break (TSV writes
    them escaped), so the answer is one run of terms, ``len(names)`` a row.

    Raises:
        ExportError: the answer has other variables, or a row another number of terms.
    """
    text = body.decode("utf-8")
    width = len(names)
    terms = text.replace("\n", "\t").split("\t")
    lines = text.count("\n")
    if text.endswith("\n"):
        terms.pop()  # the empty term after the last line break
    else:
        lines += 1
    if tuple(name.removeprefix("?") for name in terms[:width]) != names:
        raise ExportError(f"the answer for the {what} does not have the variables {names}")
    if len(terms) != width * lines:
        raise ExportError(f"the answer for the {what} has rows of other than {width} terms")
    return [terms[width + column :: width] for column in range(width)]


_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_ESCAPED = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] in "uU" and len(code) > 1:
        return chr(int(code[1:], 16))
    return _ESCAPED.get(code, code)


def literal(token: str) -> tuple[str, str | None] | None:
    """The text and language of a literal in N-Triples form (or written bare, as TSV writes
    numbers); ``None`` for an IRI or a blank node."""
    if token.startswith(("<", "_:")) or not token:
        return None
    if not token.startswith('"'):
        return token, None
    body, _, suffix = token[1:].rpartition('"')
    text = _ESCAPE.sub(_unescape, body) if "\\" in body else body
    return text, suffix[1:] if suffix.startswith("@") else None


def literal_text(token: str) -> str:
    """The text of a literal in N-Triples form (or written bare), whatever its language or
    type; the empty string for an IRI or a blank node (what :func:`literal` gives, read
    without a match of its parts)."""
    first = token[:1]
    if first == '"':
        body = token[1 : token.rfind('"')]
        return _ESCAPE.sub(_unescape, body) if "\\" in body else body
    if first == "<" or not first or token.startswith("_:"):
        return ""
    return token


__all__ = ["literal", "literal_text", "read_tsv", "tsv_columns", "tsv_lines", "tsv_rows"]
