"""Contributions: graphs of facts sent from outside, validated, stored with their provenance,
listed, and withdrawn.

A contribution is accepted only when it conforms to the shapes in the context of
the store (:mod:`cybergov.contribute.validation`). It becomes the named graph
``graph/contribution/<id>``, described in the metadata graph with PROV-O: a
``cg:Contribution`` attributed to the agent named by the token that sent it
(``prov:wasAttributedTo``), received at ``prov:generatedAtTime``, with the
SHA-256 of the bytes received (``cg:sha256``), their media type
(``dct:format``) and its number of triples (``cg:tripleCount``). Its blank
nodes become IRIs under ``https://w3id.org/cybergov/.well-known/genid/`` (RDF
1.1 skolem IRIs), so that the facts derived from it can name them.

The contribution, its description and the facts the rules derive with it enter
the store in one update (:mod:`cybergov.contribute.staging`), so no reader sees one
without the others. Withdrawing a contribution drops exactly its graph and
marks its description withdrawn (``prov:invalidatedAtTime``, and the withdrawal
as a ``prov:Activity`` associated with the agent who withdrew it), with the
derived facts refreshed in the same update; the record stays, so that who
sent what, and when, remains known.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, Triple

from cybergov.contribute.intake import IntakeLimits, contribution_format, read_statements
from cybergov.contribute.skolem import Skolem
from cybergov.contribute.staging import Changes, stage
from cybergov.contribute.validation import ShapesBundle, validate_contribution
from cybergov.contribute.validation_report import ValidationReport
from cybergov.errors import (
    ContributionDuplicate,
    ContributionNotFound,
    ContributionRejected,
    ContributionWithdrawn,
)
from cybergov.namespaces import (
    BASE,
    CG,
    CGR,
    CONTRIBUTION_GRAPH_PREFIX,
    INFERRED_GRAPH_PREFIX,
    META_GRAPH,
    VOCABULARY_PREFIXES,
)
from cybergov.store.base import Store
from cybergov.store.embedded import EmbeddedStore

#: Where the blank nodes of contributions become IRIs (RDF 1.1 Concepts, section 3.5).
GENID = f"{BASE}.well-known/genid/"
AGENT_PREFIX = f"{CGR}agent/"
WITHDRAWAL_PREFIX = f"{CGR}withdrawal/"
MEDIA_TYPE_PREFIX = "https://www.iana.org/assignments/media-types/"
#: Contribution identifiers: the UTC time of receipt and a random part.
IDENTIFIER = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{8}")

_RDF = VOCABULARY_PREFIXES["rdf"]
_RDFS = VOCABULARY_PREFIXES["rdfs"]
_XSD = VOCABULARY_PREFIXES["xsd"]
_DCT = VOCABULARY_PREFIXES["dct"]
_PROV = VOCABULARY_PREFIXES["prov"]

_RECORDS = f"""
SELECT ?graph ?id ?by ?at ?sha ?format ?count ?invalidated ?withdrawer WHERE {{
  GRAPH <{META_GRAPH}> {{
    ?graph a <{CG.Contribution}> ;
      <{_DCT}identifier> ?id ;
      <{_PROV}wasAttributedTo> ?by ;
      <{_PROV}generatedAtTime> ?at ;
      <{CG.sha256}> ?sha ;
      <{_DCT}format> ?format ;
      <{CG.tripleCount}> ?count .
    OPTIONAL {{ ?graph <{_PROV}invalidatedAtTime> ?invalidated }}
    OPTIONAL {{
      ?graph <{_PROV}wasInvalidatedBy> ?withdrawal .
      ?withdrawal <{_PROV}wasAssociatedWith> ?withdrawer
    }}
  }}
}}
ORDER BY DESC(?at) ?graph
"""


@dataclass(frozen=True, slots=True)
class Contribution:
    """What the metadata graph records of one contribution."""

    id: str
    graph: str
    contributor: str
    received: str
    sha256: str
    media_type: str
    triples: int
    withdrawn: str | None = None
    withdrawn_by: str | None = None

    @property
    def status(self) -> str:
        return "withdrawn" if self.withdrawn else "accepted"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "graph": self.graph,
            "status": self.status,
            "contributor": self.contributor,
            "received": self.received,
            "sha256": self.sha256,
            "media_type": self.media_type,
            "triples": self.triples,
            "withdrawn": self.withdrawn,
            "withdrawn_by": self.withdrawn_by,
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    """What accepting or withdrawing did: the record, and how the derived facts changed."""

    contribution: Contribution
    derived_added: int
    derived_removed: int
    report: ValidationReport | None = None


def graph_of(identifier: str) -> str:
    return f"{CONTRIBUTION_GRAPH_PREFIX}{identifier}"


def agent_of(name: str) -> str:
    return f"{AGENT_PREFIX}{name}"


def new_identifier(at: datetime) -> str:
    return f"{at:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def _timestamp(at: datetime) -> Literal:
    """A UTC time as ``xsd:dateTime``, written as stores give it back (``...Z``)."""
    return Literal(f"{at:%Y-%m-%dT%H:%M:%S}Z", datatype=NamedNode(f"{_XSD}dateTime"))


def description(record: Contribution) -> list[Triple]:
    """The statements of the metadata graph that describe a contribution when it is accepted."""
    graph = NamedNode(record.graph)
    agent = NamedNode(agent_of(record.contributor))

    def iri(value: str) -> NamedNode:
        return NamedNode(value)

    return [
        Triple(graph, iri(f"{_RDF}type"), iri(str(CG.Contribution))),
        Triple(
            graph,
            iri(f"{_RDFS}label"),
            Literal(f"contribution {record.id} from {record.contributor}", language="en"),
        ),
        Triple(graph, iri(f"{_DCT}identifier"), Literal(record.id)),
        Triple(graph, iri(f"{_PROV}wasAttributedTo"), agent),
        Triple(
            graph,
            iri(f"{_PROV}generatedAtTime"),
            Literal(record.received, datatype=iri(f"{_XSD}dateTime")),
        ),
        Triple(graph, iri(str(CG.sha256)), Literal(record.sha256)),
        Triple(graph, iri(f"{_DCT}format"), iri(f"{MEDIA_TYPE_PREFIX}{record.media_type}")),
        Triple(
            graph,
            iri(str(CG.tripleCount)),
            Literal(str(record.triples), datatype=iri(f"{_XSD}integer")),
        ),
        Triple(agent, iri(f"{_RDF}type"), iri(f"{_PROV}Agent")),
        Triple(agent, iri(f"{_RDFS}label"), Literal(record.contributor)),
    ]


def _in_graph(graph: str, triples: Iterable[Triple]) -> list[Quad]:
    name = NamedNode(graph)
    return [Quad(t.subject, t.predicate, t.object, name) for t in triples]


def accept(
    store: Store,
    data: bytes,
    *,
    media_type: str,
    contributor: str,
    limits: IntakeLimits | None = None,
    bundle: ShapesBundle | None = None,
    root: Path | None = None,
    seconds: float | None = None,
) -> Outcome:
    """Parse, validate and store a contribution with its provenance and derived facts.

    The same bytes sent again by the same contributor are recognised by their SHA-256
    and refused, naming the contribution that holds them (unless it was withdrawn): a
    repeated contribution would add nothing but a record. ``seconds`` bounds the time
    the change may take once validated.

    The caller makes sure that no other change of the store runs at the same time.

    Raises:
        UnsupportedFormat: the media type is not Turtle, N-Triples, JSON-LD or RDF/XML.
        InputRejected, RdfSyntaxError: the bytes are too large, hostile or do not parse
            (see :func:`cybergov.contribute.intake.read_statements`).
        ContributionRejected: it does not conform to the shapes (carries the report);
            nothing was stored.
        ContributionDuplicate: the contributor sent the same bytes before.
        WriteTimeout: the change took longer than ``seconds``; nothing was stored.
        StoreError: the store failed; nothing was stored.
    """
    received = datetime.now(UTC)
    sha256 = hashlib.sha256(data).hexdigest()
    held = duplicate_of(store, sha256, contributor)
    if held is not None:
        raise ContributionDuplicate(
            f"{contributor} sent these bytes before: they are contribution {held.id}, "
            f"received {held.received}; nothing was stored",
            existing=held.id,
        )
    chosen = contribution_format(media_type=media_type)
    parsed = read_statements(data, format=chosen, source="the contribution", limits=limits)
    report = validate_contribution(parsed.graph, store, source="the contribution", bundle=bundle)
    if not report.conforms:
        count = len(report.findings)
        raise ContributionRejected(
            f"the contribution does not conform to the shapes: {count} "
            f"problem{'s' if count != 1 else ''} in {report.statements} statements; "
            "nothing was stored",
            report,
        )
    identifier = new_identifier(received)
    record = Contribution(
        id=identifier,
        graph=graph_of(identifier),
        contributor=contributor,
        received=_timestamp(received).value,
        sha256=sha256,
        media_type=chosen.media_type,
        triples=len(parsed.triples),
    )
    triples = Skolem(f"{GENID}{identifier}-").triples(parsed.triples)

    def add(scratch: EmbeddedStore) -> None:
        scratch.oxigraph.extend(_in_graph(record.graph, triples))
        scratch.oxigraph.extend(_in_graph(META_GRAPH, description(record)))

    _, changes = stage(store, add, touches=lambda g: g == record.graph, root=root, seconds=seconds)
    return _outcome(record, changes, report)


def withdraw(
    store: Store,
    identifier: str,
    *,
    admin: str,
    root: Path | None = None,
    seconds: float | None = None,
) -> Outcome:
    """Drop exactly the contribution's graph, mark its record withdrawn, refresh derived facts.

    Raises:
        ContributionNotFound: no contribution has that identifier.
        ContributionWithdrawn: it was withdrawn already.
        WriteTimeout: the change took longer than ``seconds``; nothing was changed.
        StoreError: the store failed; nothing was changed.
    """
    record = get(store, identifier)
    if record.withdrawn:
        raise ContributionWithdrawn(
            f"contribution {identifier} was withdrawn at {record.withdrawn}"
            + (f" by {record.withdrawn_by}" if record.withdrawn_by else "")
        )
    at = datetime.now(UTC)
    withdrawal = NamedNode(f"{WITHDRAWAL_PREFIX}{identifier}")
    agent = NamedNode(agent_of(admin))
    time = _timestamp(at)
    graph = NamedNode(record.graph)
    marks = [
        Triple(graph, NamedNode(f"{_PROV}invalidatedAtTime"), time),
        Triple(graph, NamedNode(f"{_PROV}wasInvalidatedBy"), withdrawal),
        Triple(withdrawal, NamedNode(f"{_RDF}type"), NamedNode(f"{_PROV}Activity")),
        Triple(withdrawal, NamedNode(f"{_PROV}wasAssociatedWith"), agent),
        Triple(withdrawal, NamedNode(f"{_PROV}endedAtTime"), time),
        Triple(agent, NamedNode(f"{_RDF}type"), NamedNode(f"{_PROV}Agent")),
        Triple(agent, NamedNode(f"{_RDFS}label"), Literal(admin)),
    ]

    def drop(scratch: EmbeddedStore) -> None:
        scratch.oxigraph.remove_graph(graph)
        scratch.oxigraph.extend(_in_graph(META_GRAPH, marks))

    _, changes = stage(store, drop, touches=lambda g: g == record.graph, root=root, seconds=seconds)
    return _outcome(get(store, identifier), changes, None)


def _outcome(record: Contribution, changes: Changes, report: ValidationReport | None) -> Outcome:
    added, removed = changes.count(prefix=INFERRED_GRAPH_PREFIX)
    return Outcome(record, added, removed, report)


def duplicate_of(store: Store, sha256: str, contributor: str) -> Contribution | None:
    """The contribution, not withdrawn, of the same bytes from the same contributor, if any.

    Raises:
        StoreError: the store failed.
    """
    substitutions: dict[str, NamedNode | Literal] = {
        "sha": Literal(sha256),
        "by": NamedNode(agent_of(contributor)),
    }
    held = _records(store, substitutions=substitutions)
    return next((record for record in held if not record.withdrawn), None)


def _records(
    store: Store,
    identifier: str | None = None,
    *,
    substitutions: dict[str, NamedNode | Literal] | None = None,
) -> list[Contribution]:
    substitutions = dict(substitutions or {})
    if identifier:
        substitutions["graph"] = NamedNode(graph_of(identifier))
    answer = store.select(_RECORDS, substitutions=substitutions or None)
    records: dict[str, Contribution] = {}
    for row in answer.as_dicts():
        graph = row["graph"].value
        if graph in records:
            continue
        withdrawer = row.get("withdrawer")
        records[graph] = Contribution(
            id=row["id"].value,
            graph=graph,
            contributor=row["by"].value.removeprefix(AGENT_PREFIX),
            received=row["at"].value,
            sha256=row["sha"].value,
            media_type=row["format"].value.removeprefix(MEDIA_TYPE_PREFIX),
            triples=int(row["count"].value),
            withdrawn=row["invalidated"].value if "invalidated" in row else None,
            withdrawn_by=withdrawer.value.removeprefix(AGENT_PREFIX) if withdrawer else None,
        )
    return list(records.values())


def list_contributions(store: Store) -> list[Contribution]:
    """Every contribution the store records, newest first, withdrawn ones included.

    Raises:
        StoreError: the store failed.
    """
    return _records(store)


def get(store: Store, identifier: str) -> Contribution:
    """The record of one contribution.

    Raises:
        ContributionNotFound: no contribution has that identifier.
        StoreError: the store failed.
    """
    if not IDENTIFIER.fullmatch(identifier):
        raise ContributionNotFound(
            f"{identifier!r} is not a contribution identifier (they look like "
            "20250101T120000Z-0123abcd)"
        )
    found = _records(store, identifier)
    if not found:
        raise ContributionNotFound(f"no contribution has the identifier {identifier}")
    return found[0]


def statements(store: Store, identifier: str) -> tuple[Contribution, list[Triple]]:
    """The record of a contribution and the triples of its graph.

    Raises:
        ContributionNotFound: no contribution has that identifier.
        ContributionWithdrawn: it was withdrawn: its graph is gone.
        StoreError: the store failed.
    """
    record = get(store, identifier)
    if record.withdrawn:
        raise ContributionWithdrawn(
            f"contribution {identifier} was withdrawn at {record.withdrawn}; its statements "
            "are no longer held (its record is)"
        )
    return record, list(store.graph_triples(record.graph))


__all__ = [
    "GENID",
    "Contribution",
    "Outcome",
    "accept",
    "get",
    "list_contributions",
    "statements",
    "withdraw",
]
