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
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from functools import lru_cache

from cybergov.importers.context import CuratedIncident, ImportContext
from cybergov.importers.model import Verdict
from cybergov.importers.terms import ascii_text

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
#: No curated incident (what a word of no curated name finds).
_NONE: frozenset[str] = frozenset()


@lru_cache(maxsize=65_536)
def normal(name: str) -> str:
    """Lower-case ASCII words, generic words left out."""
    folded = ascii_text(name).lower()
    return " ".join([w for w in _NOT_WORD.split(folded) if w and w not in _GENERIC])


@lru_cache(maxsize=65_536)
def compact(name: str) -> str:
    """The name's letters and digits only ("APT 28" and "apt28" are one)."""
    return _NOT_WORD.sub("", ascii_text(name).lower())


@dataclass(frozen=True, slots=True)
class Candidate:
    curated: str
    score: float
    reason: str
    verdict: Verdict | None
    decided: bool = False


@dataclass(frozen=True, slots=True)
class _Name:
    """A name as the scoring reads it, worked out once: its words, its letters, the bit
    masks of its words' characters (for :func:`_common_length`) and a ``SequenceMatcher``
    that holds it as its second text (which the matcher indexes once)."""

    plain: str
    packed: str
    masks: dict[str, int]
    likeness: SequenceMatcher[str]


def _prepared(name: str) -> _Name:
    plain = normal(name)
    masks: dict[str, int] = {}
    for position, character in enumerate(plain):
        masks[character] = masks.get(character, 0) | (1 << position)
    return _Name(plain, compact(name), masks, SequenceMatcher(None, "", plain))


def _common_length(text: str, other: _Name) -> int:
    """The length of the longest common subsequence of ``text`` and ``other.plain``.

    The blocks ``SequenceMatcher`` finds in common are one common subsequence, so this
    bounds its likeness from above: ``2 * length / (len(a) + len(b))``. Worked out one
    character of ``text`` at a time over bit masks (Crochemore et al., 2001)."""
    width = len(other.plain)
    full = (1 << width) - 1
    row = full
    for character in text:
        match = other.masks.get(character)
        if match:
            low = row & match
            row = ((row + low) | (row - low)) & full
    return width - row.bit_count()


def _likeness_bound(plain: str, other: _Name) -> float:
    """An upper bound of ``SequenceMatcher(None, plain, other.plain).ratio()``, as it
    computes its ratios (``2.0 * matches / length``); 0 when either text is empty."""
    if not plain or not other.plain:
        return 0.0
    return 2.0 * _common_length(plain, other) / (len(plain) + len(other.plain))


class _SideBySide:
    """Names laid side by side in one bit vector, one zero bit after each, so that one pass
    over a text gives its longest common subsequence with every name at once.

    Each name's bits change as :func:`_common_length` changes them: the subtraction never
    borrows (the bits taken away are set), and an addition's carry out of a name's bits
    stops at the zero bit after them, which the mask of all names clears again."""

    __slots__ = ("_full", "_masks", "_places", "names")

    def __init__(self, names: list[_Name]) -> None:
        self.names = names
        self._masks: dict[str, int] = {}
        self._places: list[tuple[int, int, int]] = []
        self._full = 0
        offset = 0
        for name in names:
            width = len(name.plain)
            for character, mask in name.masks.items():
                self._masks[character] = self._masks.get(character, 0) | (mask << offset)
            self._full |= ((1 << width) - 1) << offset
            self._places.append((offset, (1 << width) - 1, width))
            offset += width + 1

    def common_lengths(self, text: str) -> list[int]:
        """The length of the longest common subsequence of ``text`` and each name."""
        full = self._full
        masks = self._masks
        row = full
        for character in text:
            match = masks.get(character)
            if match:
                low = row & match
                row = ((row + low) | (row - low)) & full
        return [
            width - ((row >> offset) & ones).bit_count() for offset, ones, width in self._places
        ]


#: How many layouts of names (:class:`_SideBySide`) a scorer keeps before it starts again.
_LAYOUTS_KEPT = 4096


def _containment(packed: str, other: _Name) -> float:
    """0.9 for one name's letters inside the other's (1.0 when equal), else 0."""
    if len(other.packed) >= 5 and (other.packed in packed or packed in other.packed):
        return 0.9 if other.packed != packed else 1.0
    return 0.0


class NameScorer:
    """Scores titles against names, each name prepared once (:class:`_Name`).

    A name's score is the larger of the two texts' likeness (``SequenceMatcher.ratio``) and
    :func:`_containment`; the likeness is worked out only when its upper bound
    (:func:`_likeness_bound`) could beat the best score so far, which gives the same result
    as working it out every time. One scorer serves one reading: its matchers are not
    shared between threads."""

    def __init__(self) -> None:
        self._names: dict[str, _Name] = {}
        self._layouts: dict[tuple[tuple[str, ...], ...], _SideBySide] = {}

    def _name(self, name: str) -> _Name:
        found = self._names.get(name)
        if found is None:
            found = self._names[name] = _prepared(name)
        return found

    def score(self, title: str, names: set[str]) -> tuple[float, str]:
        """How close a title is to the closest of ``names`` (0 to 1), and that name."""
        best, best_name = 0.0, ""
        plain = normal(title)
        packed = compact(title)
        for name in names:
            other = self._name(name)
            score = _containment(packed, other)
            if plain and other.plain:
                bar = max(score, best)
                if _likeness_bound(plain, other) > bar:
                    other.likeness.set_seq1(plain)
                    score = max(score, other.likeness.ratio())
            if score > best:
                best, best_name = score, name
        return best, best_name

    def bounds(self, title: str, groups: tuple[tuple[str, ...], ...]) -> list[float]:
        """An upper bound of :meth:`score`'s score against each group of names, without
        working out any likeness: one pass over the title for all of them
        (:class:`_SideBySide`, kept for the next title with the same groups)."""
        layout = self._layouts.get(groups)
        if layout is None:
            if len(self._layouts) >= _LAYOUTS_KEPT:
                self._layouts.clear()
            names = [self._name(name) for group in groups for name in group]
            layout = self._layouts[groups] = _SideBySide(names)
        plain = normal(title)
        packed = compact(title)
        common = layout.common_lengths(plain) if plain else [0] * len(layout.names)
        found: list[float] = []
        place = 0
        for group in groups:
            best = 0.0
            for _ in group:
                other = layout.names[place]
                best = max(best, _containment(packed, other))
                if plain and other.plain:
                    best = max(best, 2.0 * common[place] / (len(plain) + len(other.plain)))
                place += 1
            found.append(best)
        return found


def name_score(title: str, names: set[str]) -> tuple[float, str]:
    """How close a title is to the closest of ``names`` (0 to 1), and that name
    (:meth:`NameScorer.score`)."""
    return NameScorer().score(title, names)


def _date_part(start: date | None, curated: date | None) -> tuple[float, str, int]:
    """The dates' part of the score, its reason, and the days between them (0 when either
    is unknown)."""
    if start is None or curated is None:
        return 0.0, "no date to compare", 0
    gap = abs((start - curated).days)
    if gap <= 31:
        return 0.25, f"dates {gap} days apart", gap
    if start.year == curated.year:
        return 0.15, "same year", gap
    if abs(start.year - curated.year) == 1:
        return 0.0, "dates a year apart", gap
    return -0.3, f"dates {abs(start.year - curated.year)} years apart", gap


@dataclass(slots=True)
class _Against:
    """What a row is scored on against one curated incident, apart from the names."""

    incident: CuratedIncident
    dated: float
    date_reason: str
    shared: frozenset[str]
    """The target states in common."""
    group: bool
    """Whether a group is in common."""
    gap: int
    """Days between the two starts (0 when either is unknown)."""

    def total(self, name: float) -> float:
        """The score with a name's score of ``name``; never less for a greater ``name``."""
        score = 0.6 * name + self.dated
        if self.shared:
            score += 0.15
        if self.group:
            score += 0.15
        return round(min(score, 1.0), 3)


def _verdict(score: float, name: float) -> Verdict | None:
    if score >= CONFIDENT and name >= CONFIDENT_NAME:
        return Verdict.MATCHED
    if score >= REVIEW or name >= REVIEW_NAME:
        return Verdict.REVIEW
    return None


class IncidentMatcher:
    """Scores a tracker's incident against the curated incidents that share a word with it.

    The best candidate is the one with the greatest (score, name's score, closeness of the
    dates), the first in IRI order among equals. A candidate whose upper bound
    (:meth:`NameScorer.bounds`) cannot beat the best so far is passed over, and a row none
    of whose candidates could reach a verdict gets none, without working out a likeness:
    the same answer as scoring every candidate."""

    def __init__(self, context: ImportContext, source: str) -> None:
        self.context = context
        self.source = source
        self._names = NameScorer()
        #: The names of each curated incident, in one order for :meth:`NameScorer.bounds`.
        self._named = {iri: tuple(incident.names) for iri, incident in context.incidents.items()}
        self._index: dict[str, set[str]] = defaultdict(set)
        for incident in context.incidents.values():
            for name in incident.names:
                for word in normal(name).split():
                    if len(word) >= 4:
                        self._index[word].add(incident.iri)
                packed = compact(name)
                if len(packed) >= 5:
                    self._index[packed].add(incident.iri)
        #: The letters of the names of each curated incident's groups.
        self._group_names = {
            incident.iri: {compact(n) for g in incident.groups for n in context.group_names(g)}
            for incident in context.incidents.values()
        }

    def candidates(self, title: str) -> set[str]:
        """The curated incidents that share a word (or all their letters) with ``title``."""
        found: set[str] = set()
        for word in normal(title).split():
            found |= self._index.get(word, _NONE)
        found |= self._index.get(compact(title), _NONE)
        return found

    def _against(
        self, iri: str, start: date | None, countries: set[str], groups: set[str]
    ) -> _Against:
        incident = self.context.incidents[iri]
        dated, date_reason, gap = _date_part(start, incident.start)
        return _Against(
            incident,
            dated,
            date_reason,
            frozenset(countries & incident.countries),
            bool(self._group_names[iri] & groups),
            gap,
        )

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
        decisions = self.context.decisions
        candidates = sorted(self.candidates(title))
        if decisions.different:
            candidates = [
                iri
                for iri in candidates
                if not decisions.decided_different(self.source, title, iri)
            ]
        if not candidates:
            return None
        groups = {compact(n) for n in group_names}
        bounds = self._names.bounds(title, tuple(self._named[iri] for iri in candidates))
        bounded: list[tuple[_Against, float, float]] = []
        for iri, name in zip(candidates, bounds, strict=True):
            against = self._against(iri, start, countries, groups)
            bounded.append((against, name, against.total(name)))
        if all(_verdict(score, name) is None for _, name, score in bounded):
            return None
        best: tuple[_Against, float, str, float] | None = None
        best_key: tuple[float, float, int] = (-1.0, -1.0, 0)
        for against, name_bound, score_bound in bounded:
            if (score_bound, name_bound, -against.gap) <= best_key:
                continue
            name, closest = self._names.score(title, against.incident.names)
            score = against.total(name)
            key = (score, name, -against.gap)
            if key > best_key:
                best, best_key = (against, name, closest, score), key
        if best is None:
            return None
        against, name, closest, score = best
        verdict = _verdict(score, name)
        if verdict is None:
            return None
        reasons = [f"name {name:.2f} against '{closest}'", against.date_reason]
        if against.shared:
            reasons.append(f"targets {', '.join(sorted(against.shared))} in common")
        if against.group:
            reasons.append("a group in common")
        return Candidate(against.incident.iri, score, "; ".join(reasons), verdict)


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
    "NameScorer",
    "compact",
    "name_score",
    "normal",
]
