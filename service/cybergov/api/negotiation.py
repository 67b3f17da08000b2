"""Content negotiation: the representations the service offers and the one a request gets.

The client chooses with the ``Accept`` header (quality values and wildcards
as HTTP defines them), or explicitly with ``?format=`` or a file extension,
which win over the header. Nothing acceptable is :class:`NotAcceptable` (406).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

from pyoxigraph import RdfFormat

from cybergov.errors import NotAcceptable


@dataclass(frozen=True, slots=True)
class Representation:
    """One form a resource can take: its media type, RDF format (if RDF) and names."""

    key: str
    label: str
    media_type: str
    extension: str
    rdf_format: RdfFormat | None = None
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    #: Whether named graphs are kept (TriG, N-Quads); JSON-LD documents are one graph here.
    dataset: bool = False

    @property
    def content_type(self) -> str:
        """The Content-Type header: text types say their charset."""
        if self.media_type.startswith("text/"):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type


HTML = Representation("html", "HTML", "text/html", "html", aliases=("application/xhtml+xml",))
JSON = Representation("json", "JSON", "application/json", "json")
TURTLE = Representation(
    "turtle", "Turtle", "text/turtle", "ttl", RdfFormat.TURTLE, ("application/x-turtle",),
    ("ttl", "turtle", "n3", "text/n3", "text/rdf+n3"),
)  # fmt: skip
JSON_LD = Representation(
    "jsonld", "JSON-LD", "application/ld+json", "jsonld", RdfFormat.JSON_LD,
    ("application/json",), ("json-ld", "json"),
)  # fmt: skip
N_TRIPLES = Representation(
    "ntriples", "N-Triples", "application/n-triples", "nt", RdfFormat.N_TRIPLES, (),
    ("nt", "n-triples"),
)  # fmt: skip
RDF_XML = Representation(
    "rdfxml", "RDF/XML", "application/rdf+xml", "rdf", RdfFormat.RDF_XML, ("application/xml",),
    ("rdf", "xml", "rdf-xml", "rdf+xml", "owl"),
)  # fmt: skip
TRIG = Representation("trig", "TriG", "application/trig", "trig", RdfFormat.TRIG, dataset=True)
N_QUADS = Representation(
    "nquads", "N-Quads", "application/n-quads", "nq", RdfFormat.N_QUADS, (), ("nq", "n-quads"),
    dataset=True,
)  # fmt: skip

#: SPARQL 1.1 query results (SELECT and ASK answers).
SPARQL_JSON = Representation(
    "json", "SPARQL JSON", "application/sparql-results+json", "srj", None, ("application/json",),
    ("json", "sparql-json"),
)  # fmt: skip
SPARQL_XML = Representation(
    "xml", "SPARQL XML", "application/sparql-results+xml", "srx", None,
    ("application/xml", "text/xml"), ("xml", "sparql-xml"),
)  # fmt: skip
CSV = Representation("csv", "CSV", "text/csv", "csv")
TSV = Representation("tsv", "TSV", "text/tab-separated-values", "tsv")

#: What an RDF resource is offered as, the page for people first.
RDF_PAGE = (HTML, TURTLE, JSON_LD, N_TRIPLES, RDF_XML, TRIG, N_QUADS)
#: The same for documents that are RDF first (the dataset description).
RDF_FIRST = (TURTLE, HTML, JSON_LD, N_TRIPLES, RDF_XML)
#: The answers of the query endpoint: results for SELECT and ASK, graphs for CONSTRUCT and
#: DESCRIBE; a machine's first choice comes first (what ``*/*`` gets), a page for browsers.
RESULTS = (SPARQL_JSON, SPARQL_XML, CSV, TSV, HTML)
GRAPHS = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML, HTML)


@dataclass(frozen=True, slots=True)
class MediaRange:
    type: str
    subtype: str
    quality: float

    def specificity(self, media_type: str) -> int:
        """How closely this range matches ``media_type``: 2 exact, 1 ``type/*``, 0 ``*/*``.

        -1 when it does not match at all.
        """
        kind, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type != kind:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; malformed parts are skipped."""
    ranges: list[MediaRange] = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        kind, slash, sub = fields[0].lower().partition("/")
        if not slash or not kind or not sub:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append(MediaRange(kind, sub, quality))
    return ranges


def _media_types(offers: Sequence[Representation]) -> list[tuple[str, Representation]]:
    """Each offered media type with its representation; an alias never shadows a primary type."""
    primary = [(r.media_type, r) for r in offers]
    taken = {media for media, _ in primary}
    aliases = [(a, r) for r in offers for a in r.aliases if a not in taken]
    return primary + aliases


def negotiate(accept: str | None, offers: Sequence[Representation]) -> Representation:
    """The offered representation the ``Accept`` header prefers (the first offer on a tie).

    Raises:
        NotAcceptable: the header accepts none of the offers.
    """
    if not accept or not accept.strip():
        return offers[0]
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0]
    scored: list[tuple[float, int, Representation]] = []
    for order, (media_type, representation) in enumerate(_media_types(offers)):
        matches = [(r.specificity(media_type), r.quality) for r in ranges]
        matches = [m for m in matches if m[0] >= 0]
        if matches:
            quality = max(matches)[1]  # the most specific range decides
            if quality > 0:
                scored.append((quality, -order, representation))
    if not scored:
        raise not_acceptable(f"none of the media types in Accept: {accept!r} is offered", offers)
    return max(scored, key=lambda s: (s[0], s[1]))[2]


def by_name(name: str, offers: Sequence[Representation]) -> Representation:
    """The offered representation named by ``?format=`` (a name, extension or media type).

    Raises:
        NotAcceptable: no offered representation has that name.
    """
    key = name.strip().lower()
    for representation in offers:
        known = {representation.key, representation.extension, representation.media_type}
        if key in known or key in representation.names:
            return representation
    raise not_acceptable(f"the format {name!r} is not offered here", offers)


def by_extension(extension: str, offers: Sequence[Representation]) -> Representation | None:
    """The offered representation whose file extension is ``extension``, if any."""
    for representation in offers:
        if extension == representation.extension or extension in representation.names:
            return representation
    return None


def _explicitly_accepted(
    accept: str | None, offers: Sequence[Representation]
) -> Representation | None:
    """What ``Accept`` chooses among the media types it names (its wildcards left out);
    ``None`` when it names none of the offers."""
    named = [r for r in parse_accept(accept or "") if r.type != "*" and r.subtype != "*"]
    if not named:
        return None
    header = ", ".join(f"{r.type}/{r.subtype};q={r.quality}" for r in named)
    try:
        return negotiate(header, offers)
    except NotAcceptable:
        return None


def choose_for_protocol(
    accept: str | None, offers: Sequence[Representation], names: Sequence[str]
) -> Representation:
    """The representation of a SPARQL Protocol answer, where clients name the format in the
    URL as well as in ``Accept``: SPARQLWrapper sends ``format``, ``output`` and ``results``
    with its names (``json``, ``xml``, ``n3``, ``json-ld``, ``rdf+xml``...) beside an
    ``Accept`` header that says the same in media types.

    ``Accept`` wins when it names, without a wildcard, an offer other than the page for
    people (a browser following a download link names ``text/html`` and gets what the link
    says); then the first name that is offered; then ``Accept`` as usual.

    Raises:
        NotAcceptable: names were given, none is offered, and ``Accept`` names no offer;
            or nothing was named and ``Accept`` allows none of the offers.
    """
    names = [name for name in names if name.strip()]
    if not names:
        return negotiate(accept, offers)
    explicit = _explicitly_accepted(accept, offers)
    if explicit is not None and explicit is not HTML:
        return explicit
    for name in names:
        with contextlib.suppress(NotAcceptable):
            return by_name(name, offers)
    if explicit is not None:
        return explicit
    shown = ", ".join(repr(name) for name in dict.fromkeys(names))
    raise not_acceptable(f"the format {shown} is not offered for this query", offers)


def not_acceptable(reason: str, offers: Sequence[Representation]) -> NotAcceptable:
    offered = tuple(r.media_type for r in offers)
    names = ", ".join(f"{r.media_type} (?format={r.extension})" for r in offers)
    return NotAcceptable(f"{reason}; this resource is offered as {names}", offered=offered)


def choose(
    accept: str | None,
    offers: Sequence[Representation],
    *,
    format: str | None = None,
    extension: str | None = None,
) -> Representation:
    """The representation to answer with: ``?format=`` first, then the extension, then Accept.

    Raises:
        NotAcceptable: the explicit format is not offered, or Accept allows none of the offers.
    """
    if format:
        return by_name(format, offers)
    if extension:
        found = by_extension(extension, offers)
        if found is not None:
            return found
    return negotiate(accept, offers)
