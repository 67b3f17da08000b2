"""STIX 2.0 and 2.1 bundles (read with ``stix2``), such as MITRE ATT&CK's.

A file or a folder of bundles (every ``*.json`` below it). Intrusion sets become groups
(``group:attack-g0007`` when they carry an ATT&CK identifier, ``group:stix-<name>``
otherwise), with one alias record per name of their ``aliases`` as their producer assigns
it, their ATT&CK identifier and their references as sources; a group with the ATT&CK
identifier or a name of a curated group is linked to it (``skos:closeMatch``), never
merged. Campaigns become campaigns (``incident:attack-c0012``), or, when a curated
campaign has the same ATT&CK identifier, give it their name as an alternative label. The
``attributed-to`` relationships from a campaign to an intrusion set become the producer's
attributions, dated when the relationship was made. State sponsorship is imported only
where the bundle states it as data; ATT&CK states it only in description text, so none.

STIX gives a campaign no incident type and no target. They are read from the words of
the description (a kind of operation such as "espionage" or "ransomware", the states it
names) and the report says so for each campaign; a campaign whose description names
neither is imported without them (a tracker's record may leave out what its source does
not give; kg/README.md), and the report says so too.

An object is imported only when its producer (``created_by_ref``) is an actor of the
graph (:data:`PRODUCERS`); the same object in several files (ATT&CK repeats a group in each
domain) is read once, in its latest version; revoked and deprecated objects are skipped.

The objects of cybergov's own STIX export are read by :mod:`cybergov.importers.stix_cybergov`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import stix2
import stix2.exceptions

from cybergov.errors import ImportInputError
from cybergov.importers import terms
from cybergov.importers.common import attribution, group, record_group_match
from cybergov.importers.context import ImportContext
from cybergov.importers.matching import GroupMatcher
from cybergov.importers.model import (
    REFUSED,
    WITHOUT_TYPE_OR_TARGET,
    Batch,
    Importer,
    Match,
    Progress,
    Record,
    Verdict,
)
from cybergov.importers.stix_cybergov import OwnObjects, stix_day
from cybergov.namespaces import CGR

MITRE = f"{CGR}cso/mitre"
#: STIX identities whose objects can be imported, and the actor of the graph each one is.
PRODUCERS = {"identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5": MITRE}
SKIPPED = "skipped"

#: Words of a description to the incident type they name (first found, in this order).
KINDS = (
    ("ransomware", "ransomware"),
    ("wiper", "destruction"),
    ("destructive", "destruction"),
    ("supply chain", "supply-chain-compromise"),
    ("denial-of-service", "denial-of-service"),
    ("denial of service", "denial-of-service"),
    ("ddos", "denial-of-service"),
    ("defacement", "defacement"),
    ("espionage", "espionage"),
    ("intelligence collection", "espionage"),
    ("financially motivated", "financial-theft"),
    ("financially-motivated", "financial-theft"),
    ("cryptocurrency theft", "financial-theft"),
    ("pre-position", "pre-positioning"),
)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_CITATION = re.compile(r"\s*\(Citation:[^)]*\)")


def clean(description: str) -> str:
    """A STIX description without its Markdown links and ATT&CK citations."""
    return re.sub(r"\s+", " ", _CITATION.sub("", _LINK.sub(r"\1", description))).strip()


def _attack_id(obj: Any) -> str | None:
    for reference in obj.get("external_references", []) or []:
        if reference.get("source_name") in {
            "mitre-attack",
            "mitre-ics-attack",
            "mitre-mobile-attack",
        }:
            value = reference.get("external_id")
            return str(value) if value else None
    return None


def _sources(obj: Any) -> list[str]:
    found: list[str] = []
    for reference in obj.get("external_references", []) or []:
        url = str(reference.get("url") or "")
        if url and terms.is_url(url) and url not in found:
            found.append(url)
    return found


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(path.rglob("*.json"))
    return [path]


def _objects(path: Path, batch: Batch) -> Iterator[tuple[str, Any]]:
    """(file, object) for every object of every bundle; files that do not parse reported."""
    files = _files(path)
    if not files:
        raise ImportInputError(f"{path}: no .json file to read")
    for file in files:
        where = file.relative_to(path).as_posix() if path.is_dir() else file.name
        try:
            parsed = stix2.parse(file.read_text(encoding="utf-8"), allow_custom=True)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            if len(files) == 1:
                raise ImportInputError(f"{file}: cannot be read as JSON ({error})") from error
            batch.problem(where, "(file)", f"cannot be read as JSON: {error}", REFUSED)
            continue
        except stix2.exceptions.STIXError as error:
            if len(files) == 1:
                raise ImportInputError(f"{file}: not STIX 2 ({error})") from error
            batch.problem(where, "(file)", f"not STIX 2: {error}", REFUSED)
            continue
        objects = parsed.get("objects", []) if parsed.get("type") == "bundle" else [parsed]
        for obj in objects or []:
            yield where, obj


@dataclass(slots=True)
class _Reading:
    context: ImportContext
    batch: Batch
    groups: GroupMatcher
    by_id: dict[str, tuple[str, Any]] = field(default_factory=dict)
    made: dict[str, str] = field(default_factory=dict)
    """STIX id of an imported or matched object to the IRI it became."""
    began: dict[str, date] = field(default_factory=dict)
    """IRI of an imported campaign to the day it began."""


def _latest(reading: _Reading, where: str, obj: Any) -> None:
    known = reading.by_id.get(obj["id"])
    if known is None or str(obj.get("modified", "")) > str(known[1].get("modified", "")):
        reading.by_id[obj["id"]] = (where, obj)


def _usable(reading: _Reading, where: str, obj: Any) -> str | None:
    """The producer actor of an object, or ``None`` when the object is skipped or refused."""
    row = f"{where} ({obj.get('name', obj['id'])})"
    if obj.get("revoked"):
        reading.batch.problem(row, "revoked", "revoked by its producer", SKIPPED)
        return None
    if obj.get("x_mitre_deprecated"):
        reading.batch.problem(row, "x_mitre_deprecated", "deprecated by its producer", SKIPPED)
        return None
    producer = PRODUCERS.get(str(obj.get("created_by_ref", "")))
    if producer is None:
        reading.batch.problem(
            row,
            "created_by_ref",
            f"made by {obj.get('created_by_ref', 'no one named')}, not an actor of the graph",
            REFUSED,
        )
    else:
        reading.batch.published_by(producer)
    return producer


def _intrusion_set(reading: _Reading, where: str, obj: Any) -> None:
    producer = _usable(reading, where, obj)
    if producer is None:
        return
    name = str(obj["name"])
    attack_id = _attack_id(obj)
    local = f"attack-{attack_id.lower()}" if attack_id else f"stix-{terms.slug(name, limit=50)}"
    iri = terms.resource("group", local)
    row = f"{where} ({name})"
    out = terms.Statements()
    aliases = [str(a) for a in obj.get("aliases", []) or []] or [name]
    group(
        out,
        iri,
        name=name,
        description=clean(str(obj.get("description", ""))) or f"Threat-actor group {name}.",
        sources=_sources(obj) or ["https://attack.mitre.org/"],
        aliases=aliases,
        assigned_by=producer,
        attack_id=attack_id if attack_id and attack_id.startswith("G") else None,
    )
    record = Record(row, "group", iri, name, out)
    candidate = reading.groups.best(name, aliases, attack_id)
    record_group_match(reading.batch, record, candidate, out)
    reading.made[obj["id"]] = iri
    reading.batch.records.append(record)


_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_TARGETING = re.compile(
    r"\b(target|against|victim|compromis|attack(s|ed)? on|intrusions? into)", re.I
)
_ACTOR_AFTER = re.compile(
    r"^[-\s]*(nexus|based|linked|affiliated|sponsored|state|government-)", re.I
)
_ACTOR_BEFORE = re.compile(r"\b(by|to|with|from|of)\s+(the\s+)?$", re.I)


def targets(context: ImportContext, description: str) -> list[str]:
    """The states a description names as targets: in a sentence about targeting, and not as
    the actor ("China-nexus", "linked to the Russian Federation", "conducted by Iran")."""
    found: list[str] = []
    for sentence in _SENTENCE.split(description):
        if not _TARGETING.search(sentence):
            continue
        for start, end, code in context.states.mentions(sentence, adjectives=False):
            if _ACTOR_AFTER.match(sentence[end:]) or _ACTOR_BEFORE.search(sentence[:start]):
                continue
            if code not in found:
                found.append(code)
    return found


def _coded(reading: _Reading, row: str, description: str) -> tuple[list[str], list[str]]:
    """The incident types and target states read from a campaign's description (either
    may be empty: the campaign is then imported without them, and the report says so)."""
    lowered = description.lower()
    kinds = list(dict.fromkeys(kind for words, kind in KINDS if words in lowered))
    states = targets(reading.context, description)
    if kinds or states:
        reading.batch.problem(
            row,
            "description",
            f"no incident type or target in the data; read from the description's words: "
            f"{', '.join(kinds) or 'no type'}; {', '.join(states) or 'no target'}",
            "imported with those",
        )
    if not kinds or not states:
        missing = " and ".join(
            what
            for what, found in (("incident type", kinds), ("target state", states))
            if not found
        )
        reading.batch.problem(
            row,
            "description",
            f"STIX gives no {missing} and the description names none",
            WITHOUT_TYPE_OR_TARGET,
        )
    return kinds, states


def _campaign(reading: _Reading, where: str, obj: Any) -> None:
    producer = _usable(reading, where, obj)
    if producer is None:
        return
    name = str(obj["name"])
    row = f"{where} ({name})"
    attack_id = _attack_id(obj)
    aliases = [str(a) for a in obj.get("aliases", []) or [] if str(a) != name]
    curated = next(
        (
            i.iri
            for i in reading.context.incidents.values()
            if attack_id and i.attack_id == attack_id
        ),
        None,
    )
    out = terms.Statements()
    if curated is not None:
        for label in [name, *aliases]:
            out.add(curated, terms.ALT_LABEL, terms.text(label))
        reading.batch.matches.append(
            Match(row, name, "campaign", curated, curated, 1.0,
                  f"same ATT&CK identifier {attack_id}", Verdict.MATCHED)
        )  # fmt: skip
        reading.made[obj["id"]] = curated
        reading.batch.records.append(Record(row, "campaign", curated, name, out, new=False))
        return
    start = stix_day(obj.get("first_seen"))
    if start is None:
        reading.batch.problem(
            row, "first_seen", "absent; a campaign needs the day it began", REFUSED
        )
        return
    description = clean(str(obj.get("description", "")))
    coded = _coded(reading, row, description)
    local = f"attack-{attack_id.lower()}" if attack_id else f"stix-{terms.slug(name, limit=50)}"
    iri = terms.resource("incident", local)
    out.add(iri, terms.RDF_TYPE, terms.cg("Incident"))
    out.add(iri, terms.RDF_TYPE, terms.cg("Campaign"))
    out.add(iri, terms.LABEL, terms.text(name))
    for label in aliases:
        out.add(iri, terms.ALT_LABEL, terms.text(label))
    out.add(iri, terms.DESCRIPTION, terms.text(description or f"Campaign {name}."))
    out.add(iri, terms.cg("startDate"), terms.day(start))
    end = stix_day(obj.get("last_seen"))
    if end is not None and end >= start:
        out.add(iri, terms.cg("endDate"), terms.day(end))
    if attack_id and re.fullmatch(r"C\d{4}", attack_id):
        out.add(iri, terms.cg("mitreAttackId"), terms.plain(attack_id))
    for kind in coded[0]:
        out.add(iri, terms.cg("incidentType"), terms.resource("incident-type", kind))
    for code in coded[1]:
        out.add(iri, terms.cg("targetCountry"), terms.resource("state", code))
    for source in _sources(obj) or ["https://attack.mitre.org/"]:
        out.add(iri, terms.SOURCE, source)
    reading.made[obj["id"]] = iri
    reading.began[iri] = start
    untyped = not coded[0] or not coded[1]
    reading.batch.records.append(Record(row, "campaign", iri, name, out, untyped=untyped))


def _attributed_to(reading: _Reading, where: str, obj: Any) -> None:
    producer = _usable(reading, where, obj)
    if producer is None:
        return
    row = f"{where} ({obj['id']})"
    campaign = reading.made.get(str(obj["source_ref"]))
    actor = reading.made.get(str(obj["target_ref"]))
    if campaign is None or actor is None:
        missing = "campaign" if campaign is None else "intrusion set"
        reading.batch.problem(row, "source_ref" if campaign is None else "target_ref",
                              f"its {missing} was not imported", REFUSED)  # fmt: skip
        return
    when = stix_day(obj.get("created")) or reading.context.as_of
    incident = reading.context.incidents.get(campaign)
    began = incident.start if incident else reading.began.get(campaign)
    if began is not None and when < began:
        when = began
    name = next(r.title for r in reading.batch.records if r.iri == actor)
    title = next(r.title for r in reading.batch.records if r.iri == campaign)
    out = terms.Statements()
    iri = terms.resource(
        "attribution",
        f"{campaign.rsplit('/', 1)[-1]}--{producer.rsplit('/', 1)[-1]}--{actor.rsplit('/', 1)[-1]}",
    )
    attribution(
        out,
        iri,
        label=f"{title} attributed to {name} by MITRE ATT&CK",
        tracker=producer,
        incident=campaign,
        to=[actor],
        when=when,
        sources=_sources(obj) or ["https://attack.mitre.org/"],
    )
    reading.batch.records.append(Record(row, "attribution", iri, title, out))


class StixImporter(Importer):
    """Intrusion sets, campaigns and attributed-to relationships of STIX 2 bundles."""

    source = "stix"
    version = "1.0"
    tracker = MITRE
    home = "https://attack.mitre.org/"

    def read(self, path: Path, context: ImportContext, progress: Progress | None = None) -> Batch:
        batch = Batch()
        reading = _Reading(context, batch, GroupMatcher(context, self.source))
        kinds = {"intrusion-set", "campaign", "relationship"}
        other: dict[str, int] = {}
        own = OwnObjects()  # cybergov's own bundles: read by stix_cybergov
        for where, obj in _objects(path, batch):
            if own.take(where, obj):
                continue
            kind = str(obj.get("type"))
            if kind in kinds and (
                kind != "relationship" or obj.get("relationship_type") == "attributed-to"
            ):
                _latest(reading, where, obj)
            elif kind not in {"identity", "marking-definition"}:
                other[kind] = other.get(kind, 0) + 1
        for kind, count in sorted(other.items()):
            batch.problem(str(path.name), "type", f"{count} objects of type {kind}", "not imported")
        ordered = sorted(reading.by_id.values(), key=lambda item: item[0])
        batch.rows = len(ordered)
        steps = (
            ("intrusion-set", _intrusion_set),
            ("campaign", _campaign),
            ("relationship", _attributed_to),
        )
        done = 0
        for kind, reader in steps:
            for where, obj in ordered:
                if obj["type"] == kind:
                    reader(reading, where, obj)
                    done += 1
                    if progress is not None and done % 50 == 0:
                        progress(done, batch.rows)
        own.read(context, batch)
        if progress is not None:
            progress(batch.rows, batch.rows)
        return batch


__all__ = ["KINDS", "PRODUCERS", "StixImporter", "clean"]
