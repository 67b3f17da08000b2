"""MISP galaxy threat actors (``clusters/threat-actor.json`` of the MISP galaxy).

Each cluster value becomes a group (``group:misp-<name>``) with its synonyms as alias
records assigned by the MISP Project, its references as sources, and the country MISP
gives as where it is based (``cg:basedIn``). The suspected state sponsor is a field MISP
takes from the CFR Cyber Operations Tracker (``cfr-suspected-state-sponsor``): it is kept as
CFR's claim, a sponsorship link stated by ``cso:council-on-foreign-relations``, citing the
CFR pages among the references (and the tracker when there are none). A group is linked
(``skos:closeMatch``) to the curated group with the ATT&CK identifier MISP maps it to, or
with one of its names; never merged. The suspected victims, target categories and types
of incident, which describe operations rather than the group, are not imported.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from cybergov.errors import ImportInputError
from cybergov.importers import terms
from cybergov.importers.common import group, record_group_match, sponsorship, state_iri
from cybergov.importers.context import ImportContext
from cybergov.importers.matching import GroupMatcher
from cybergov.importers.model import REFUSED, WITHOUT_FIELD, Batch, Importer, Progress, Record
from cybergov.namespaces import CGR

MISP = f"{CGR}cso/misp-project"
CFR = f"{CGR}cso/council-on-foreign-relations"
CFR_HOME = "https://www.cfr.org/cyber-operations/"
HOME = "https://github.com/MISP/misp-galaxy/blob/main/clusters/threat-actor.json"
QUOTED = "the CFR Cyber Operations Tracker, as MISP quotes it"
_ATTACK = re.compile(r"^(G\d{4}):")


def _cluster_file(path: Path) -> Path:
    if path.is_file():
        return path
    for candidate in (path / "clusters" / "threat-actor.json", path / "threat-actor.json"):
        if candidate.is_file():
            return candidate
    raise ImportInputError(f"{path}: no clusters/threat-actor.json in this folder")


def _values(path: Path) -> list[Any]:
    file = _cluster_file(path)
    try:
        content = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportInputError(f"{file}: cannot be read as JSON ({error})") from error
    if not isinstance(content, dict) or not isinstance(content.get("values"), list):
        raise ImportInputError(f"{file}: not a MISP galaxy cluster (no list of values)")
    if content.get("type") not in {None, "threat-actor"}:
        raise ImportInputError(
            f"{file}: a cluster of {content.get('type')!r}, not of threat actors"
        )
    return list(content["values"])


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int)]
    return []


def _group(
    value: dict[str, Any], row: str, context: ImportContext, matcher: GroupMatcher, batch: Batch
) -> Record | None:
    name = str(value.get("value", "")).strip()
    if not name:
        batch.problem(row, "value", "empty name", REFUSED)
        return None
    found_meta = value.get("meta")
    meta: dict[str, Any] = found_meta if isinstance(found_meta, dict) else {}
    refs = _strings(meta.get("refs"))
    sources = [r for r in refs if terms.is_url(r)]
    if len(sources) < len(refs):
        batch.problem(
            row, "refs", f"{len(refs) - len(sources)} references are not URLs", WITHOUT_FIELD
        )
    synonyms = [s.strip() for s in _strings(meta.get("synonyms")) if s.strip()]
    iri = terms.resource("group", f"misp-{terms.slug(name, limit=50)}")
    out = terms.Statements()
    group(
        out,
        iri,
        name=name,
        description=str(value.get("description") or "").strip() or f"Threat actor {name}.",
        sources=sources or [HOME],
        aliases=synonyms,
        assigned_by=MISP,
    )
    for code in _strings(meta.get("country"))[:1]:
        if code.upper() in context.states.known:
            out.add(iri, terms.cg("basedIn"), state_iri(code.upper()))
        else:
            batch.problem(row, "country", f"{code!r} is not a state of the graph", WITHOUT_FIELD)
    for sponsor in _strings(meta.get("cfr-suspected-state-sponsor")):
        found = context.states.recognise(sponsor)
        for name_found, code in found.territories:
            batch.problem(row, "cfr-suspected-state-sponsor",
                          f"{name_found!r} is a territory ({code}), not a state of the graph",
                          "imported without that sponsor")  # fmt: skip
        for unknown in found.unknown:
            batch.problem(row, "cfr-suspected-state-sponsor", f"unknown sponsor name {unknown!r}",
                          "imported without that sponsor")  # fmt: skip
        cfr_pages = [s for s in sources if "cfr.org" in s] or [CFR_HOME]
        for code in found.states:
            sponsorship(out, iri, name, code, stated_by=CFR, sources=cfr_pages, according_to=QUOTED)
    attack = next(
        (m.group(1) for a in _strings(meta.get("name-attribution")) if (m := _ATTACK.match(a))),
        None,
    )
    record = Record(row, "group", iri, name, out)
    record_group_match(batch, record, matcher.best(name, synonyms, attack), out)
    return record


class MispImporter(Importer):
    """The threat actors of the MISP galaxy, as groups linked to the curated ones."""

    source = "misp"
    version = "1.0"
    tracker = MISP
    home = HOME

    def read(self, path: Path, context: ImportContext, progress: Progress | None = None) -> Batch:
        values = _values(path)
        batch = Batch(rows=len(values))
        matcher = GroupMatcher(context, self.source)
        seen: dict[str, str] = {}
        for number, value in enumerate(values, 1):
            row = f"{number} ({value.get('value', '') if isinstance(value, dict) else ''})"
            if not isinstance(value, dict):
                batch.problem(str(number), "(value)", "not an object", REFUSED)
                continue
            key = terms.slug(str(value.get("value", "")), limit=50)
            if key and key in seen:
                batch.problem(row, "value", f"duplicate of {seen[key]}", REFUSED)
                continue
            seen[key] = row
            record = _group(value, row, context, matcher, batch)
            if record is not None:
                batch.records.append(record)
            if progress is not None and (number % 100 == 0 or number == len(values)):
                progress(number, len(values))
        return batch


__all__ = ["MispImporter"]
