"""Matching imported records to curated incidents and groups, with a score and a reason.

A match links, it never fuses: a confident match to a curated incident attaches the
tracker's attribution and title to it (in the import's graph); a confident match to a
curated group links the imported group to it (``skos:closeMatch``). A weaker resemblance
is listed for review and nothing is attached. A reviewer's decision
(:mod:`cybergov.importers.decisions`) overrides the score either way.

Incidents are scored on their names (title against the curated labels and alternative
labels), their dates, the states they hit and the groups named; groups on their ATT&CK
identifier and their names.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from functools import lru_cache

from cybergov.importers.context import ImportContext
from cybergov.importers.model import Verdict

#: A match at or above this score, with a name at least this close, is confident.
CONFIDENT = 0.75
CONFIDENT_NAME = 0.8
#: A resemblance at or above this score, or a name this close, is listed for review.
REVIEW = 0.5
REVIEW_NAME = 0.7

_GENERIC = frozenset(
    (
        "the",
        "of",
        "on",
        "in",
        "a",
        "an",
        "and",
        "against",
        "attack",
        "attacks",
        "hack",
        "hacking",
        "breach",
        "compromise",
        "campaign",
        "operation",
        "cyber",
        "cyberattack",
        "by",
        "to",
        "at",
        "for",
        "from",
        "group",
    )
)
_NOT_WORD = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65_536)
def normal(name: str) -> str:
    """Lower-case ASCII words, generic words left out."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(w for w in _NOT_WORD.split(folded) if w and w not in _GENERIC)


@lru_cache(maxsize=65_536)
def compact(name: str) -> str:
    """The name's letters and digits only ("APT 28" and "apt28" are one)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return _NOT_WORD.sub("", folded)


@dataclass(frozen=True, slots=True)
class Candidate:
    curated: str
    score: float
    reason: str
    verdict: Verdict | None
    decided: bool = False


def name_score(title: str, names: set[str]) -> tuple[float, str]:
    """How close a title is to the closest of ``names`` (0 to 1), and that name.

    A name's score is the larger of the two texts' likeness (``SequenceMatcher.ratio``) and
    0.9 (1.0 when equal) for one's letters inside the other's; the likeness is worked out
    only when its upper bounds (``real_quick_ratio``, ``quick_ratio``) could beat the best
    score so far, which gives the same result as working it out every time."""
    best, best_name = 0.0, ""
    plain = normal(title)
    packed = compact(title)
    for name in names:
        other = normal(name)
        other_packed = compact(name)
        score = 0.0
        if len(other_packed) >= 5 and (other_packed in packed or packed in other_packed):
            score = 0.9 if other_packed != packed else 1.0
        if plain and other:
            bar = max(score, best)
            matcher = SequenceMatcher(None, plain, other)
            if matcher.real_quick_ratio() > bar and matcher.quick_ratio() > bar:
                score = max(score, matcher.ratio())
        if score > best:
            best, best_name = score, name
    return best, best_name


def _date_part(start: date | None, curated: date | None) -> tuple[float, str]:
    if start is None or curated is None:
        return 0.0, "no date to compare"
    gap = abs((start - curated).days)
    if gap <= 31:
        return 0.25, f"dates {gap} days apart"
    if start.year == curated.year:
        return 0.15, "same year"
    if abs(start.year - curated.year) == 1:
        return 0.0, "dates a year apart"
    return -0.3, f"dates {abs(start.year - curated.year)} years apart"


class IncidentMatcher:
    """Scores a tracker's incident against the curated incidents that share a word with it."""

    def __init__(self, context: ImportContext, source: str) -> None:
        self.context = context
        self.source = source
        self._index: dict[str, set[str]] = defaultdict(set)
        for incident in context.incidents.values():
            for name in incident.names:
                for word in normal(name).split():
                    if len(word) >= 4:
                        self._index[word].add(incident.iri)
                packed = compact(name)
                if len(packed) >= 5:
                    self._index[packed].add(incident.iri)

    def _candidates(self, title: str) -> set[str]:
        found: set[str] = set()
        for word in normal(title).split():
            found |= self._index.get(word, set())
        found |= self._index.get(compact(title), set())
        return found

    def best(
        self,
        title: str,
        *,
        start: date | None,
        countries: set[str],
        group_names: set[str],
    ) -> Candidate | None:
        """The best curated incident for a row with its verdict, or ``None`` when none is close."""
        decided = self.context.decisions.decided_same(self.source, title)
        if decided is not None:
            return Candidate(decided, 1.0, "a reviewer's decision", Verdict.MATCHED, True)
        best: Candidate | None = None
        best_key: tuple[float, float, int] = (-1.0, -1.0, 0)
        for iri in sorted(self._candidates(title)):
            if self.context.decisions.decided_different(self.source, title, iri):
                continue
            incident = self.context.incidents[iri]
            name, closest = name_score(title, incident.names)
            dated, date_reason = _date_part(start, incident.start)
            reasons = [f"name {name:.2f} against '{closest}'", date_reason]
            score = 0.6 * name + dated
            if countries and incident.countries:
                shared = countries & incident.countries
                if shared:
                    score += 0.15
                    reasons.append(f"targets {', '.join(sorted(shared))} in common")
            curated_names = {
                compact(n) for g in incident.groups for n in self.context.group_names(g)
            }
            if group_names and curated_names & {compact(n) for n in group_names}:
                score += 0.15
                reasons.append("a group in common")
            score = round(min(score, 1.0), 3)
            if score >= CONFIDENT and name >= CONFIDENT_NAME:
                verdict: Verdict | None = Verdict.MATCHED
            elif score >= REVIEW or name >= REVIEW_NAME:
                verdict = Verdict.REVIEW
            else:
                verdict = None
            candidate = Candidate(iri, score, "; ".join(reasons), verdict)
            gap = abs((start - incident.start).days) if start and incident.start else 0
            key = (score, name, -gap)
            if key > best_key:
                best, best_key = candidate, key
        return best if best is not None and best.verdict is not None else None


class GroupMatcher:
    """Links imported groups to curated ones by ATT&CK identifier, then by a shared name."""

    def __init__(self, context: ImportContext, source: str) -> None:
        self.context = context
        self.source = source
        self._by_attack = {
            g.attack_id: g.iri for g in context.groups.values() if g.attack_id is not None
        }
        self._by_name: dict[str, set[str]] = defaultdict(set)
        for group in context.groups.values():
            for name in group.names:
                if len(compact(name)) >= 3:
                    self._by_name[compact(name)].add(group.iri)

    def best(self, name: str, aliases: list[str], attack_id: str | None) -> Candidate | None:
        decided = self.context.decisions.decided_same(self.source, name)
        if decided is not None:
            return Candidate(decided, 1.0, "a reviewer's decision", Verdict.MATCHED, True)
        if attack_id and attack_id in self._by_attack:
            iri = self._by_attack[attack_id]
            if not self.context.decisions.decided_different(self.source, name, iri):
                return Candidate(iri, 1.0, f"same ATT&CK identifier {attack_id}", Verdict.MATCHED)
        shared: dict[str, list[str]] = defaultdict(list)
        for alias in [name, *aliases]:
            for iri in self._by_name.get(compact(alias), set()):
                if not self.context.decisions.decided_different(self.source, name, iri):
                    shared[iri].append(alias)
        if not shared:
            return None
        if len(shared) > 1:
            iri = max(shared, key=lambda i: len(shared[i]))
            listed = "; ".join(f"{i.rsplit('/', 1)[-1]}: {', '.join(n)}" for i, n in shared.items())
            return Candidate(
                iri, 0.5, f"names shared with several groups ({listed})", Verdict.REVIEW
            )
        iri, names = next(iter(shared.items()))
        other_id = self.context.groups[iri].attack_id
        if attack_id and other_id and other_id != attack_id:
            reason = (
                f"shared name {', '.join(sorted(set(names)))}, but ATT&CK tells {attack_id} "
                f"from {other_id}"
            )
            return Candidate(iri, 0.5, reason, Verdict.REVIEW)
        exact = compact(name) in {compact(n) for n in self.context.group_names(iri)}
        score = 0.9 if exact else 0.8
        reason = f"shared name{'s' if len(names) > 1 else ''} {', '.join(sorted(set(names)))}"
        return Candidate(iri, score, reason, Verdict.MATCHED)


__all__ = [
    "CONFIDENT",
    "REVIEW",
    "Candidate",
    "GroupMatcher",
    "IncidentMatcher",
    "compact",
    "normal",
]
