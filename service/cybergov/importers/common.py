"""What every importer writes the same way: attributions by a tracker, groups with their
aliases, sponsorship links, and the link of an imported group to a curated one."""

from __future__ import annotations

import hashlib
from datetime import date
from functools import lru_cache

import pycountry

from cybergov.importers import terms
from cybergov.importers.matching import Candidate
from cybergov.importers.model import Batch, Match, Record


def state_iri(code: str) -> str:
    return terms.resource("state", code)


@lru_cache(maxsize=512)
def state_name(code: str) -> str:
    """The common name of the state with the alpha-2 ``code`` (the code when none)."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


def attribution(
    out: terms.Statements,
    iri: str,
    *,
    label: str,
    tracker: str,
    incident: str,
    to: list[str],
    when: date,
    sources: list[str],
) -> None:
    """An attribution by a tracker: its coding, with its basis and status, and its sources."""
    out.add(iri, terms.RDF_TYPE, terms.cg("Attribution"))
    out.add(iri, terms.LABEL, terms.text(label))
    out.add(iri, terms.cg("attributedBy"), tracker)
    out.add(iri, terms.cg("attributedIncident"), incident)
    for actor in to:
        out.add(iri, terms.cg("attributedTo"), actor)
    out.add(iri, terms.cg("attributionBasis"), terms.BASIS_TRACKER)
    out.add(iri, terms.cg("attributionStatus"), terms.STATUS_CLAIMED)
    out.add(iri, terms.cg("confidence"), terms.CONFIDENCE_UNSTATED)
    out.add(iri, terms.cg("attributionDate"), terms.day(when))
    for source in sources:
        out.add(iri, terms.SOURCE, source)


def group(
    out: terms.Statements,
    iri: str,
    *,
    name: str,
    description: str,
    sources: list[str],
    aliases: list[str],
    assigned_by: str,
    attack_id: str | None = None,
) -> None:
    """A threat-actor group with one alias record per name, assigned by the tracker."""
    out.add(iri, terms.RDF_TYPE, terms.cg("ThreatActorGroup"))
    out.add(iri, terms.LABEL, terms.text(name))
    out.add(iri, terms.DESCRIPTION, terms.text(description))
    for source in sources:
        out.add(iri, terms.SOURCE, source)
    if attack_id:
        out.add(iri, terms.cg("mitreAttackId"), terms.plain(attack_id))
    local = iri.rsplit("/", 1)[-1]
    vendor = assigned_by.rsplit("/", 1)[-1]
    seen: dict[str, str] = {}
    for alias in aliases:
        if alias in seen.values():
            continue
        alias_slug = (
            terms.slug(alias, limit=50) or f"name-{hashlib.sha256(alias.encode()).hexdigest()[:8]}"
        )
        base, number = alias_slug, 2
        while alias_slug in seen:  # "APT 28" and "APT28" are two names, one slug
            alias_slug, number = f"{base}-{number}", number + 1
        seen[alias_slug] = alias
        node = terms.resource("alias", f"{local}--{vendor}--{alias_slug}")
        out.add(node, terms.RDF_TYPE, terms.cg("GroupAlias"))
        out.add(node, terms.cg("aliasName"), terms.plain(alias))
        out.add(node, terms.cg("aliasAssignedBy"), assigned_by)
        out.add(iri, terms.cg("hasAlias"), node)
        if alias != name:
            out.add(iri, terms.ALT_LABEL, terms.text(alias))


def sponsorship(
    out: terms.Statements,
    group_iri: str,
    group_name: str,
    code: str,
    *,
    stated_by: str,
    sources: list[str],
    according_to: str,
) -> None:
    """The record that a state sponsors a group, as a tracker states it."""
    local = group_iri.rsplit("/", 1)[-1]
    iri = terms.resource("link", f"{local}--sponsor--{code}")
    out.add(iri, terms.RDF_TYPE, terms.cg("SponsorshipLink"))
    out.add(
        iri,
        terms.LABEL,
        terms.text(f"{group_name} sponsored by {state_name(code)}, according to {according_to}"),
    )
    out.add(iri, terms.cg("linkedActor"), group_iri)
    out.add(iri, terms.cg("linkedTo"), state_iri(code))
    out.add(iri, terms.cg("statedBy"), stated_by)
    for source in sources:
        out.add(iri, terms.SOURCE, source)


def record_group_match(
    batch: Batch, record: Record, candidate: Candidate | None, out: terms.Statements
) -> None:
    """Link an imported group to the curated group it matches (never merge); note the match."""
    if candidate is None or candidate.verdict is None:
        return
    if candidate.verdict.value == "matched":
        out.add(record.iri, terms.CLOSE_MATCH, candidate.curated)
    batch.matches.append(
        Match(
            record.row,
            record.title,
            "group",
            record.iri,
            candidate.curated,
            candidate.score,
            candidate.reason,
            candidate.verdict,
            candidate.decided,
        )
    )


__all__ = ["attribution", "group", "record_group_match", "sponsorship", "state_iri", "state_name"]
