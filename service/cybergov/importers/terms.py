"""Statements of an import, written the way the curated graph writes them.

IRIs follow kg/README.md: an imported record is named after its source (``incident:cfr-...``,
``group:attack-g0007``, ``group:misp-...``) so that it never takes the IRI of a curated
resource; dates are days at midnight as ``xsd:dateTime``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache
from urllib.parse import urlsplit

from pyoxigraph import Literal, NamedNode, Triple

from cybergov.namespaces import CG, CGR, VOCABULARY_PREFIXES

_XSD = VOCABULARY_PREFIXES["xsd"]
_DATE_TIME = NamedNode(f"{_XSD}dateTime")
RDF_TYPE = NamedNode(f"{VOCABULARY_PREFIXES['rdf']}type")
LABEL = NamedNode(f"{VOCABULARY_PREFIXES['rdfs']}label")
ALT_LABEL = NamedNode(f"{VOCABULARY_PREFIXES['skos']}altLabel")
CLOSE_MATCH = NamedNode(f"{VOCABULARY_PREFIXES['skos']}closeMatch")
DESCRIPTION = NamedNode(f"{VOCABULARY_PREFIXES['dct']}description")
SOURCE = NamedNode(f"{VOCABULARY_PREFIXES['dct']}source")

BASIS_TRACKER = f"{CGR}attribution-basis/tracker-coding"
STATUS_CLAIMED = f"{CGR}attribution-status/claimed"
CONFIDENCE_UNSTATED = f"{CGR}confidence/unstated"

_NOT_WORD = re.compile(r"[^a-z0-9]+")
_URL = re.compile(r"https?://[^\s<>\"'{}|\\^`]+")
#: A character an IRI may not hold: a control character, a space, or one of <>"{}|\^ and
#: the backquote.
_BAD = re.compile(r'[\x00-\x20<>"{}|\\^`]')
#: An http(s) URL whose host holds a dot and only the characters of a host, user and port
#: (no brackets), and whose path, query and fragment hold no character of :data:`_BAD`.
_PLAIN_URL = re.compile(
    r"[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9\-._~%!$&'()*+,;=:@]*\.[A-Za-z0-9\-._~%!$&'()*+,;=:@]*"
    r'(?:[/?#][^\x00-\x20<>"{}|\\^`]*)?'
)


@lru_cache(maxsize=65_536)
def node(iri: str) -> NamedNode:
    """The IRI as a term, made once for the IRIs met again and again (a record's subject in
    each of its statements, the ontology's classes and properties)."""
    return NamedNode(iri)


@lru_cache(maxsize=1024)
def cg(name: str) -> NamedNode:
    """The ontology's term ``name`` (a class or a property), made once."""
    return NamedNode(f"{CG}{name}")


def resource(family: str, local: str) -> str:
    return f"{CGR}{family}/{local}"


def ascii_text(text: str) -> str:
    """The text in ASCII: letters without their accents, other characters left out (an
    ASCII text as it is, which its decomposition leaves as it is)."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def slug(text: str, *, limit: int = 60) -> str:
    """Lower-case ASCII words joined by hyphens, at most ``limit`` characters."""
    words = _NOT_WORD.sub("-", ascii_text(text).lower()).strip("-")
    if len(words) > limit:
        words = words[:limit].rsplit("-", 1)[0] or words[:limit]
    return words.strip("-")


@lru_cache(maxsize=65_536)
def day(value: date) -> Literal:
    """The day at midnight as an ``xsd:dateTime``, made once for the days met again."""
    return Literal(f"{value.isoformat()}T00:00:00", datatype=_DATE_TIME)


def text(value: str) -> Literal:
    return Literal(value, language="en")


def plain(value: str) -> Literal:
    return Literal(value)


def urls_in(value: str) -> list[str]:
    """The http(s) URLs written in a field, trailing punctuation removed."""
    found = []
    for match in _URL.findall(value):
        url = match.rstrip(".,;)]")
        parts = urlsplit(url)
        if parts.netloc and "." in parts.netloc:
            found.append(url)
    return found


def is_url(value: str) -> bool:
    """Whether ``value`` (spaces around it aside) is an http(s) URL with a dotted host and no
    character an IRI may not hold.

    A URL as sources write it (a plain host, then a path) is told by one pattern
    (:data:`_PLAIN_URL`); any other text is split by ``urlsplit``, which reads such a URL the
    same way."""
    stripped = value.strip()
    if _PLAIN_URL.fullmatch(stripped):
        return True
    parts = urlsplit(stripped)
    return parts.scheme in {"http", "https"} and "." in parts.netloc and not _BAD.search(stripped)


class Statements(list[Triple]):
    """Triples written with IRIs as strings."""

    def add(
        self, subject: str, predicate: NamedNode | str, value: NamedNode | Literal | str
    ) -> None:
        term = node(value) if isinstance(value, str) else value
        verb = node(predicate) if isinstance(predicate, str) else predicate
        self.append(Triple(node(subject), verb, term))


__all__ = [
    "ALT_LABEL",
    "BASIS_TRACKER",
    "CLOSE_MATCH",
    "CONFIDENCE_UNSTATED",
    "DESCRIPTION",
    "LABEL",
    "RDF_TYPE",
    "SOURCE",
    "STATUS_CLAIMED",
    "Statements",
    "ascii_text",
    "cg",
    "day",
    "is_url",
    "node",
    "plain",
    "resource",
    "slug",
    "text",
    "urls_in",
]
