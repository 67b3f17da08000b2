"""cybergov's own STIX 2.1 bundles read back as a source (the round trip of the export).

Every object of our export names the resource it was made from in its first external
reference (``source_name: cybergov``, the resource's IRI). Such an object is resolved to
the graph's resource by that IRI alone: a match by identity (score 1, reason "the same
cybergov IRI"), never a match by name. ``incident`` and ``campaign`` objects resolve to
the curated incidents; ``identity``, ``intrusion-set`` and ``threat-actor`` objects to the
curated actors.

Each ``attributed-to`` relationship that carries ``x_cybergov_attribution`` and whose
``created_by_ref`` is an identity resolving to an actor of the graph becomes an
attribution by that actor (the attributor), one per attribution and attributor, holding
every actor its relationships name: dated by ``created``, its confidence mapped back from
STIX's scale, its basis and status from the ``x_cybergov_`` properties, its sources from
the other external references. It is the bundle's claim, written to the import's graph
like any import; the curated graph is never written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cybergov.importers import terms
from cybergov.importers.context import ImportContext
from cybergov.importers.model import REFUSED, Batch, Match, Record, Verdict
from cybergov.namespaces import BASE, MAINTAINERS

OWN_SOURCE = "cybergov"
#: STIX's 0-100 confidence back to our levels, by the bands of STIX 2.1 appendix A
#: ("None / Low / Med / High": 0, 1-29, 30-69, 70-100); our export writes 15, 50 and 85,
#: the middles of the Low, Med and High bands.
_BANDS = ((70, "high"), (30, "moderate"), (1, "low"))
_ACTOR_TYPES = frozenset({"identity", "intrusion-set", "threat-actor"})
_INCIDENT_TYPES = frozenset({"incident", "campaign"})
REASON = "the same cybergov IRI"


def own_iri(obj: Any) -> str | None:
    """The IRI an object of our export was made from: its first external reference's URL
    when that reference's source is ``cybergov``."""
    found = obj.get("external_references") or []
    if not found or found[0].get("source_name") != OWN_SOURCE:
        return None
    url = found[0].get("url")
    return str(url) if url else None


def confidence_level(value: Any) -> str:
    """Our confidence level for a STIX confidence (``unstated`` when there is none)."""
    if value is None:
        return terms.CONFIDENCE_UNSTATED
    number = int(value)
    level = next((name for floor, name in _BANDS if number >= floor), "unstated")
    return terms.resource("confidence", level)


def stix_day(value: Any) -> date | None:
    """The day of a STIX timestamp (a ``datetime`` as ``stix2`` reads it, or its text), or
    ``None`` when there is none."""
    if isinstance(value, datetime):
        return value.date()
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


@dataclass(slots=True)
class _Claim:
    """The relationships of one attribution by one attributor."""

    row: str
    attribution: str
    attributor: str
    incident: str
    first: Any
    actors: list[str] = field(default_factory=list)


@dataclass(slots=True)
class OwnObjects:
    """The objects of cybergov's bundles met while reading STIX files."""

    by_id: dict[str, tuple[str, Any]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def take(self, where: str, obj: Any) -> bool:
        """Keep ``obj`` when it is an object of our export (its latest version only)."""
        if own_iri(obj) is None:
            return False
        known = self.by_id.get(obj["id"])
        if known is None or str(obj.get("modified", "")) > str(known[1].get("modified", "")):
            self.by_id[obj["id"]] = (where, obj)
        return True

    def read(self, context: ImportContext, batch: Batch) -> None:
        """The attributions of the objects kept, added to ``batch``."""
        if not self.by_id:
            return
        batch.rows += len(self.by_id)
        for _, obj in self.by_id.values():
            iri = own_iri(obj)
            if iri is not None and obj.get("name"):
                self.names.setdefault(iri, str(obj["name"]))
        claims: dict[tuple[str, str], _Claim] = {}
        other: dict[str, int] = {}
        for where, obj in sorted(self.by_id.values(), key=lambda item: item[1]["id"]):
            kind = str(obj.get("type"))
            if kind in _ACTOR_TYPES | _INCIDENT_TYPES:
                self._publisher(context, batch, obj)
            if kind == "relationship" and obj.get("x_cybergov_attribution"):
                self._relationship(context, batch, claims, where, obj)
            elif kind not in _ACTOR_TYPES | _INCIDENT_TYPES:
                other[kind] = other.get(kind, 0) + 1
        for kind, count in sorted(other.items()):
            batch.problem(
                "(cybergov bundle)", "type", f"{count} objects of type {kind}", "not imported"
            )
        matched: set[str] = set()
        for claim in claims.values():
            self._attribution(batch, claim, matched)

    def _publisher(self, context: ImportContext, batch: Batch, obj: Any) -> None:
        """The maker of an actor or incident of the bundle (its ``created_by_ref``; the
        relationships and notes name their own attributors and authors), as a publisher of
        the import: the cybergov maintainers for our own identity, else the actor of the
        graph the identity stands for."""
        found = self.by_id.get(str(obj.get("created_by_ref", "")))
        iri = own_iri(found[1]) if found else None
        if iri == BASE:
            batch.published_by(MAINTAINERS)
        elif iri is not None and iri in context.actors:
            batch.published_by(iri)

    def _resolve(self, ref: Any, known: frozenset[str] | set[str]) -> str | None:
        found = self.by_id.get(str(ref))
        iri = own_iri(found[1]) if found else None
        return iri if iri in known else None

    def _relationship(
        self,
        context: ImportContext,
        batch: Batch,
        claims: dict[tuple[str, str], _Claim],
        where: str,
        obj: Any,
    ) -> None:
        row = f"{where} ({obj['id']})"
        attributor = self._resolve(obj.get("created_by_ref"), context.actors)
        incident = self._resolve(obj.get("source_ref"), set(context.incidents))
        actor = self._resolve(obj.get("target_ref"), context.actors)
        for value, name, what in (
            (attributor, "created_by_ref", "its maker is not an actor of the graph"),
            (incident, "source_ref", "not an incident of the curated graph"),
            (actor, "target_ref", "not an actor of the graph"),
        ):
            if value is None:
                batch.problem(row, name, f"{obj.get(name)}: {what}", REFUSED)
                return
        assert attributor is not None and incident is not None and actor is not None
        attribution = str(obj["x_cybergov_attribution"])
        claim = claims.setdefault(
            (attribution, attributor), _Claim(row, attribution, attributor, incident, obj)
        )
        if actor not in claim.actors:
            claim.actors.append(actor)

    def _name(self, iri: str) -> str:
        return self.names.get(iri) or _local(iri)

    def _attribution(self, batch: Batch, claim: _Claim, matched: set[str]) -> None:
        obj = claim.first
        when = stix_day(obj.get("created"))
        if when is None:
            batch.problem(claim.row, "created", "absent; an attribution needs its date", REFUSED)
            return
        title = self._name(claim.incident)
        iri = terms.resource(
            "attribution", f"{_local(claim.attribution)}--by-{_local(claim.attributor)}"
        )
        out = terms.Statements()
        out.add(iri, terms.RDF_TYPE, terms.cg("Attribution"))
        names = ", ".join(self._name(a) for a in claim.actors)
        by = self._name(claim.attributor)
        out.add(iri, terms.LABEL, terms.text(f"{title} attributed to {names} by {by}"))
        out.add(iri, terms.cg("attributedBy"), claim.attributor)
        out.add(iri, terms.cg("attributedIncident"), claim.incident)
        for actor in claim.actors:
            out.add(iri, terms.cg("attributedTo"), actor)
        for basis in obj.get("x_cybergov_attribution_basis") or []:
            out.add(
                iri, terms.cg("attributionBasis"), terms.resource("attribution-basis", str(basis))
            )
        for status in obj.get("x_cybergov_attribution_status") or []:
            out.add(
                iri,
                terms.cg("attributionStatus"),
                terms.resource("attribution-status", str(status)),
            )
        out.add(iri, terms.cg("confidence"), confidence_level(obj.get("confidence")))
        wording = obj.get("x_cybergov_confidence_wording")
        if wording:
            out.add(iri, terms.cg("confidenceWording"), terms.plain(str(wording)))
        out.add(iri, terms.cg("attributionDate"), terms.day(when))
        for reference in (obj.get("external_references") or [])[1:]:
            url = str(reference.get("url") or "")
            if reference.get("source_name") != OWN_SOURCE and terms.is_url(url):
                out.add(iri, terms.SOURCE, url)
        batch.records.append(Record(claim.row, "attribution", iri, title, out))
        for resolved, kind in (
            (claim.incident, "incident"),
            (claim.attributor, "actor"),
            *((a, "actor") for a in claim.actors),
        ):
            if resolved not in matched:
                matched.add(resolved)
                batch.matches.append(
                    Match(claim.row, self._name(resolved), kind, resolved, resolved, 1.0,
                          REASON, Verdict.MATCHED)
                )  # fmt: skip


__all__ = ["OWN_SOURCE", "REASON", "OwnObjects", "confidence_level", "own_iri", "stix_day"]
