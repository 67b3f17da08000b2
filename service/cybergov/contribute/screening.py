"""Screening of untrusted RDF before any parser sees it.

Each function reads the text of a document and refuses what would make a
parser hang, crash, grow without bound or reach outside: nesting deeper than
a limit (pyoxigraph's RDF/XML parser took 149 s on 100,000 nested elements,
its JSON-LD parser grows quadratically with depth), DOCTYPE and entity
declarations in XML (a 925-byte entity bomb makes pyoxigraph 0.5.13 allocate
11.8 GB), and XML in another encoding than UTF-8. The scanners are linear and never
recurse, so a hostile document costs at most one pass over its bytes. They read text:
bytes that are not UTF-8 are refused before (:func:`cybergov.errors.decode_utf8`).
"""

from __future__ import annotations

import re
import xml.parsers.expat
from collections.abc import Iterator

from cybergov.errors import DocumentTypeRefused, InputTooDeep, RdfSyntaxError

# Turtle: strings, IRIs, comments and escapes are skipped, so that a bracket
# inside them does not count; what is left are the tokens that nest.
_TURTLE_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\s]*>'
    r"|#[^\n\r]*"
    r"|\\."
    r"|<<|>>|\{\||\|\}"
    r"|[\[\]()]",
    re.DOTALL,
)
_TURTLE_OPEN = frozenset({"[", "(", "<<", "{|"})
_TURTLE_CLOSE = frozenset({"]", ")", ">>", "|}"})

_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _deepest(
    tokens: Iterator[re.Match[str]], opening: frozenset[str], closing: frozenset[str], limit: int
) -> int | None:
    """The offset of the first token that opens a level past ``limit``, or ``None``."""
    depth = 0
    for token in tokens:
        kind = token.group()
        if kind in opening:
            depth += 1
            if depth > limit:
                return token.start()
        elif kind in closing:
            depth = max(0, depth - 1)
    return None


def screen_turtle(text: str, *, limit: int, source: str) -> None:
    """Refuse Turtle that nests blank nodes, collections or triple terms deeper than ``limit``.

    Raises:
        InputTooDeep: with the line and column where the nesting passes the limit.
    """
    offset = _deepest(_TURTLE_TOKENS.finditer(text), _TURTLE_OPEN, _TURTLE_CLOSE, limit)
    if offset is not None:
        message = f"blank nodes, collections or quoted triples are nested more than {limit} deep"
        raise InputTooDeep.at(message, text=text, offset=offset, source=source)


def screen_json(text: str, *, limit: int, source: str) -> None:
    """Refuse JSON that nests objects and arrays deeper than ``limit``.

    Raises:
        InputTooDeep: with the line and column where the nesting passes the limit.
    """
    offset = _deepest(_JSON_TOKENS.finditer(text), frozenset("[{"), frozenset("]}"), limit)
    if offset is not None:
        message = f"JSON objects and arrays are nested more than {limit} deep"
        raise InputTooDeep.at(message, text=text, offset=offset, source=source)


_MARKUP_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_ENCODING = re.compile(r"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']""")


class _Refusal(Exception):
    """Raised from inside an expat handler to stop the scan."""

    def __init__(self, error: DocumentTypeRefused | InputTooDeep) -> None:
        self.error = error
        super().__init__(str(error))


def screen_xml(text: str, *, limit: int, source: str) -> None:
    """Refuse XML with a DOCTYPE or entity declarations, another encoding than UTF-8, or
    elements nested deeper than ``limit``; report malformed XML with its line and column.

    The document is scanned with expat before any RDF parser sees it; a declaration is
    refused as soon as expat meets it, before any entity could be defined or expanded.

    Raises:
        DocumentTypeRefused: the document declares a DOCTYPE or an entity.
        InputTooDeep: elements are nested more than ``limit`` deep.
        RdfSyntaxError: the document is not well-formed XML, or not in UTF-8.
    """
    found = _MARKUP_DECLARATION.search(text)
    if found:
        raise DocumentTypeRefused.at(
            f"RDF/XML with a <!{found.group(1).upper()} declaration is refused: declarations "
            "can define entities that expand without bound; send the document without one",
            text=text,
            offset=found.start(),
            source=source,
        )
    encoding = _XML_ENCODING.match(text)
    if encoding and encoding.group(1).strip().lower() not in ("utf-8", "utf8", "us-ascii"):
        raise RdfSyntaxError(
            f"the XML declaration names the encoding {encoding.group(1)!r}; only UTF-8 is accepted",
            source=source,
            line=1,
            column=1,
        )
    parser = xml.parsers.expat.ParserCreate()
    depth = 0

    def here() -> tuple[int, int]:
        return parser.CurrentLineNumber, parser.CurrentColumnNumber + 1

    def refuse_declaration(*_: object) -> int:
        line, column = here()
        raise _Refusal(
            DocumentTypeRefused(
                "RDF/XML with a DOCTYPE or entity declaration is refused",
                source=source,
                line=line,
                column=column,
            )
        )

    def start(*_: object) -> None:
        nonlocal depth
        depth += 1
        if depth > limit:
            line, column = here()
            raise _Refusal(
                InputTooDeep(
                    f"XML elements are nested more than {limit} deep",
                    source=source,
                    line=line,
                    column=column,
                )
            )

    def end(*_: object) -> None:
        nonlocal depth
        depth -= 1

    parser.StartDoctypeDeclHandler = refuse_declaration
    parser.EntityDeclHandler = refuse_declaration
    parser.ExternalEntityRefHandler = refuse_declaration
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(text.encode("utf-8"), True)
    except _Refusal as refusal:
        raise refusal.error from None
    except xml.parsers.expat.ExpatError as error:
        raise RdfSyntaxError(
            f"not well-formed XML: {xml.parsers.expat.ErrorString(error.code)}",
            source=source,
            line=error.lineno,
            column=error.offset + 1,
        ) from None
