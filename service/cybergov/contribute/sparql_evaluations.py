"""The SPARQL constraints that most focus nodes meet, evaluated in Python on the data graph.

The shapes' SPARQL constraints are run by pyoxigraph (:mod:`cybergov.contribute.compiled_shapes`),
which needs a copy of the data in its store and a query for every few hundred focus nodes;
for the constraints asked of every resource (``cgsh:Resource-*``), of every incident and of
every attribution, most of the cost of a validation. Almost every focus node passes them, and
what lets a node pass can be seen in the statements the validation indexes already: no
rule-only type, no event date close to today, no two types the ontology declares disjoint.

An evaluation here answers, for each focus node, with the constraint's solutions when it can
tell them exactly (none, or one made of IRIs and strings taken from them), or with ``None``:
the node is then left to the query, which alone reads dates as SPARQL compares them and
labels as it picks them. So a finding's text always comes from the query, or from solutions
equal to its own, whatever the evaluation leaves to it.

An evaluation is used only while the constraint's text is the one it was written for (its
:func:`~cybergov.knowledge.schema.fingerprint`): a constraint that changes is run by its
query again. The tests hold each fingerprint to the shapes and compare every evaluation
with the query, node by node, on conforming and violating data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Protocol

from pyoxigraph import BlankNode, Literal, NamedNode

from cybergov.knowledge.schema import fingerprint
from cybergov.namespaces import CG, CGSH, VOCABULARY_PREFIXES

Term = NamedNode | BlankNode | Literal
#: One solution: the values of the constraint's projected variables, by name, in their order.
Solution = dict[str, Term]


class Lookup(Protocol):
    """The data graph and the ontology, read as one graph (as the query reads them)."""

    def about(self, subject: Term) -> Mapping[Term, AbstractSet[Term]]:
        """The statements of ``subject``: for each of its predicates, the objects."""
        ...


#: For each focus node, in their order, its solutions or ``None`` (the query decides).
Evaluation = Callable[[Lookup, list[Term]], list[list[Solution] | None]]

_TYPE = NamedNode(f"{VOCABULARY_PREFIXES['rdf']}type")
_DISJOINT_WITH = NamedNode(f"{VOCABULARY_PREFIXES['owl']}disjointWith")
_XSD = VOCABULARY_PREFIXES["xsd"]
_DATE = NamedNode(f"{_XSD}date")
_DATE_TIME = NamedNode(f"{_XSD}dateTime")
_STRING = NamedNode(f"{_XSD}string")
_NONE: frozenset[Term] = frozenset()


def _cg(*names: str) -> tuple[NamedNode, ...]:
    return tuple(NamedNode(f"{CG}{name}") for name in names)


_EVENT_DATES = frozenset(
    _cg(
        "startDate",
        "endDate",
        "attributionDate",
        "claimDate",
        "responseDate",
        "listingDate",
        "delistingDate",
        "adoptionDate",
        "positionDate",
        "statementDate",
        "coordinationDate",
        "lastRoundDate",
    )
)
_RULE_ONLY_CLASSES = frozenset(
    _cg("DerivedAttribution", "DerivedClaim", "DerivedCoordinatedAttribution", "NormPatternMatch")
)
_RULE_ONLY_PROPERTIES = frozenset(
    _cg(
        "concernsState",
        "derivedByRule",
        "derivedFrom",
        "explanation",
        "hasOrgan",
        "matchesNorm",
        "mitreAttackEntry",
        "operatedBy",
        "operates",
        "organOf",
        "sponsoredBy",
        "sponsors",
    )
)
_START_DATE, _END_DATE, _ATTRIBUTION_DATE, _PART_OF_CAMPAIGN, _ATTRIBUTED_INCIDENT = _cg(
    "startDate", "endDate", "attributionDate", "partOfCampaign", "attributedIncident"
)
_TARGET_COUNTRY, _TARGETED_ACTOR, _ATTRIBUTED_TO, _TERRITORY_OF = _cg(
    "targetCountry", "targetedActor", "attributedTo", "attributedToTerritoryOf"
)
#: A day as the query's date filter reads it (at the start of a literal's text).
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: A day, or a time of day without a fraction or a time zone: forms whose order as text is
#: their order as dates (the hour 24, which is the next day's midnight, left out).
_INSTANT = re.compile(
    r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])?"
)


def _one(rows: list[Solution]) -> list[Solution] | None:
    """``rows`` if there is at most one (the query answers several in an order of its own)."""
    return rows if len(rows) <= 1 else None


def _neither(first: NamedNode, second: NamedNode) -> Evaluation:
    """``FILTER NOT EXISTS { $this first ?x } FILTER NOT EXISTS { $this second ?y }``, with
    ``?path`` bound to ``first``."""

    def evaluate(graph: Lookup, focus: list[Term]) -> list[list[Solution] | None]:
        found: list[list[Solution] | None] = []
        for node in focus:
            about = graph.about(node)
            if about.get(first) or about.get(second):
                found.append([])
            else:
                found.append([{"focusNode": node, "path": first}])
        return found

    return evaluate


def _rule_only_class(graph: Lookup, focus: list[Term]) -> list[list[Solution] | None]:
    found: list[list[Solution] | None] = []
    for node in focus:
        types = graph.about(node).get(_TYPE, _NONE)
        if types.isdisjoint(_RULE_ONLY_CLASSES):
            found.append([])
            continue
        solutions: list[Solution] = [
            {"focusNode": node, "path": _TYPE, "value": value}
            for value in types
            if value in _RULE_ONLY_CLASSES
        ]
        found.append(_one(solutions))
    return found


def _rule_only_property(graph: Lookup, focus: list[Term]) -> list[list[Solution] | None]:
    found: list[list[Solution] | None] = []
    for node in focus:
        paths = graph.about(node).keys()
        if paths.isdisjoint(_RULE_ONLY_PROPERTIES):
            found.append([])
            continue
        solutions: list[Solution] = [
            {"focusNode": node, "path": path, "pathName": Literal(path.value.partition("#")[2])}
            for path in paths
            if isinstance(path, NamedNode) and path in _RULE_ONLY_PROPERTIES
        ]
        found.append(_one(solutions))
    return found


def _disjoint_types(graph: Lookup, focus: list[Term]) -> list[list[Solution] | None]:
    """No solution for a node none of whose types is disjoint with another of them."""
    found: list[list[Solution] | None] = []
    for node in focus:
        types = graph.about(node).get(_TYPE, _NONE)
        clash = len(types) > 1 and any(
            not types.isdisjoint(graph.about(kind).get(_DISJOINT_WITH, _NONE)) for kind in types
        )
        found.append(None if clash else [])
    return found


def _not_after_today(graph: Lookup, focus: list[Term]) -> list[list[Solution] | None]:
    """No solution for a node whose event dates are all, surely, not after today."""
    today = datetime.now(UTC).date()
    days = (today.isoformat(), (today - timedelta(days=3)).isoformat())
    judged: dict[Term, bool] = {}
    found: list[list[Solution] | None] = []
    for node in focus:
        passes = True
        for path, values in graph.about(node).items():
            if path in _EVENT_DATES:
                for value in values:
                    verdict = judged.get(value)
                    if verdict is None:
                        verdict = judged[value] = _not_after(value, *days)
                    passes = passes and verdict
        found.append([] if passes else None)
    return found


def _not_after(value: Term, today: str, long_before: str) -> bool:
    """Whether ``value`` is surely not a literal whose text opens with a day after ``today``
    (an ISO date, the UTC one, as the query's ``NOW()``).

    The query reads a literal's text as pyoxigraph writes it: a string as it is, a day or a
    time of day in the forms of :func:`_instant` too, but another may be written otherwise
    (the hour 24 is the next day's midnight). The day such a text opens with is judged only
    when it is more than two days before ``today`` (``long_before``)."""
    if not isinstance(value, Literal):
        return True
    text = value.value
    if _DAY.match(text) is None:
        return _written_as_is(value)
    if _written_as_is(value):
        return text[:10] <= today
    return text[:10] < long_before


def _written_as_is(value: Literal) -> bool:
    """Whether pyoxigraph writes the text of ``value`` as it was given."""
    datatype = value.datatype
    return (
        value.language is not None
        or datatype == _STRING
        or _instant(value.value, datatype.value) is not None
    )


@lru_cache(maxsize=4096)
def _instant(text: str, datatype: str) -> str | None:
    """The text of a literal whose order as text is its order as a date (see :data:`_INSTANT`),
    or ``None``."""
    if datatype not in {_DATE.value, _DATE_TIME.value} or not _INSTANT.fullmatch(text):
        return None
    if (datatype == _DATE.value) != (len(text) == 10):
        return None
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        return None
    return text


@lru_cache(maxsize=65_536)
def _not_before(value: Term, start: Term) -> bool:
    """Whether ``value < start`` is surely false as the query compares them: two days, or two
    times of day, of the same type, in the forms of :func:`_instant`, ``value`` not before."""
    if not isinstance(value, Literal) or not isinstance(start, Literal):
        return False
    if value.datatype != start.datatype:
        return False
    first = _instant(value.value, value.datatype.value)
    second = _instant(start.value, start.datatype.value)
    return first is not None and second is not None and first >= second


def _dated_after(date_path: NamedNode, link: NamedNode | None, start_path: NamedNode) -> Evaluation:
    """``$this date_path ?value ; link ?other . ?other start_path ?start FILTER(?value <
    ?start)`` (no ``link``: ``$this date_path ?value ; start_path ?start``): no solution for a
    node whose every pair of dates is surely in order; the query decides any other."""

    def starts(graph: Lookup, about: Mapping[Term, AbstractSet[Term]]) -> Iterable[Term]:
        if link is None:
            return about.get(start_path, _NONE)
        return [
            start
            for other in about.get(link, _NONE)
            for start in graph.about(other).get(start_path, _NONE)
        ]

    def evaluate(graph: Lookup, focus: list[Term]) -> list[list[Solution] | None]:
        found: list[list[Solution] | None] = []
        for node in focus:
            about = graph.about(node)
            values = about.get(date_path)
            in_order = not values or all(
                _not_before(value, start) for start in starts(graph, about) for value in values
            )
            found.append([] if in_order else None)
        return found

    return evaluate


#: Each constraint evaluated in Python, by the fingerprint of the text it is evaluated for.
_EVALUATIONS: dict[str, tuple[str, Evaluation]] = {
    "Resource-disjointTypes": (
        "e91ded2acf2d00fbec0be39cba49d3abc9ac251db8f48c0482fc8d2e4ddad62d",
        _disjoint_types,
    ),
    "Resource-notAfterToday": (
        "dbed416e93304144832dbdcdadfaec4740e5032c4b2f42cc6ffa31978a92f3c7",
        _not_after_today,
    ),
    "Resource-ruleOnlyClass": (
        "ede54eb6de7975b52862ddfaa4899814ba261539a04c84721bcdb4490c23d3b3",
        _rule_only_class,
    ),
    "Resource-ruleOnlyProperty": (
        "d7b5e5ad9656ec9277fc03a5c957d7027bddcb1db47c31f0e0ca9c7f2fbd4334",
        _rule_only_property,
    ),
    "Incident-target": (
        "6e979bd47c072a4be73dc645b31463c89371a5daacc043b1737a9a029340e8ef",
        _neither(_TARGET_COUNTRY, _TARGETED_ACTOR),
    ),
    "Attribution-responsible": (
        "df9e9e35a4f19aab78a01ab6e04ebbacc71365280c9ab23e0a6ffd466ce6caff",
        _neither(_ATTRIBUTED_TO, _TERRITORY_OF),
    ),
    "Dates-endNotBeforeStart": (
        "0ec20f10d141f4a6112f2389376f5eb7d528e784e9b009be72bbcc809a53535d",
        _dated_after(_END_DATE, None, _START_DATE),
    ),
    "Attribution-notBeforeIncident": (
        "61db96a4d33843016ca555d7d55ad9271707ef1d697f113a31e44c850769fdbc",
        _dated_after(_ATTRIBUTION_DATE, _ATTRIBUTED_INCIDENT, _START_DATE),
    ),
    "Incident-notBeforeCampaign": (
        "617ceb09811a95edfaa114f948f95c9e88a67d1122e156d9fcdd5c0c5e83b147",
        _dated_after(_START_DATE, _PART_OF_CAMPAIGN, _START_DATE),
    ),
}


def evaluation(constraint: str, text: str) -> Evaluation | None:
    """The Python evaluation of the SPARQL constraint ``constraint`` (its IRI), if ``text``
    (the query run for it) is the one it was written for."""
    name = constraint.removeprefix(str(CGSH))
    known = _EVALUATIONS.get(name) if name != constraint else None
    if known is None or known[0] != fingerprint(text):
        return None
    return known[1]


__all__ = ["Evaluation", "Lookup", "Solution", "evaluation"]
