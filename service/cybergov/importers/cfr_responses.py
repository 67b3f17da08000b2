"""The ``Response`` column of the CFR tracker: the tracker's note of how someone answered an
operation, free text that may name a kind of response, who took it, a day and a URL
("Sanctions imposed by the United States on 2021-09-15: https://...").

It becomes a response record only when the text gives everything the shapes ask of one: a
kind of response the ontology has (a subclass of ``cg:Response`` that the column can fill:
:data:`KINDS`), a responding state the state resolver recognises, the day it was taken (on
or after the operation began) and a URL as its source. The record is the tracker's note, in
the import's graph: ``prov:wasAttributedTo`` the tracker, its text quoted in the
description, the URL as ``dct:source``. Otherwise the text is kept as a ``skos:note`` on the
incident, and the report says what the text lacks. No day is ever made up: the shapes want
the day of a response, and the column rarely gives one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from cybergov.importers import terms
from cybergov.importers.common import state_iri
from cybergov.importers.context import ImportContext
from cybergov.namespaces import VOCABULARY_PREFIXES

NOTE = f"{VOCABULARY_PREFIXES['skos']}note"
ATTRIBUTED_TO = f"{VOCABULARY_PREFIXES['prov']}wasAttributedTo"
#: What was done with a text that is no response record.
KEPT_AS_NOTE = "kept as a note on the incident"
#: Words of the text to the kind of response (a class of the ontology) they name, first
#: found first. Indictments and advisories are left out on purpose: the shapes want the
#: persons an indictment charges, and an advisory's author is an agency, not a state, which
#: the column does not give.
KINDS = (
    ("sanction", "Sanction"),
    ("expel", "Expulsion"),
    ("expulsion", "Expulsion"),
    ("demarche", "Demarche"),
    ("démarche", "Demarche"),
    ("summoned", "Demarche"),
    ("countermeasure", "Countermeasure"),
    ("takedown", "LawEnforcementOperation"),
    ("law enforcement operation", "LawEnforcementOperation"),
    ("law-enforcement operation", "LawEnforcementOperation"),
    ("attribution statement", "AttributionStatement"),
    ("public statement", "PublicStatement"),
    ("condemn", "PublicStatement"),
)
#: Kinds the column names that no response record can be made of, and why.
UNFIT = (
    ("indict", "an indictment needs the persons it charges, which the column does not name"),
    (
        "criminal charge",
        "an indictment needs the persons it charges, which the column does not name",
    ),
    ("advisory", "an advisory is an agency's, which the column does not name"),
)
_URL = re.compile(r"https?://[^\s<>\"'{}|\\^`]+")
_BY = re.compile(r"\bby\s+(?:the\s+)?(?P<name>[^:;,.\d]+?)(?=\s+on\b|\s+in\b|[:;,.]|\s*$)", re.I)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DAYS = (
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), "iso"),
    (re.compile(rf"\b({_MONTHS})\s+(\d{{1,2}}),?\s+(\d{{4}})\b"), "month-day"),
    (re.compile(rf"\b(\d{{1,2}})\s+({_MONTHS})\s+(\d{{4}})\b"), "day-month"),
)
_MONTH_NUMBER = {name: number for number, name in enumerate(_MONTHS.split("|"), 1)}


@dataclass(frozen=True, slots=True)
class Reading:
    """What a response text says: each part ``None`` when it does not say it."""

    kind: str | None
    unfit: str | None
    responders: tuple[str, ...]
    day: date | None
    urls: tuple[str, ...]


def _day(words: str) -> date | None:
    for pattern, form in _DAYS:
        found = pattern.search(words)
        if found is None:
            continue
        first, second, year = found.groups()
        try:
            if form == "iso":
                return date(int(first), int(second), int(year))
            if form == "month-day":
                return date(int(year), _MONTH_NUMBER[first], int(second))
            return date(int(year), _MONTH_NUMBER[second], int(first))
        except ValueError:
            return None
    return None


def read_response(context: ImportContext, value: str) -> Reading:
    """The kind, responding states, day and URLs a response text names."""
    urls = tuple(u.rstrip(".,;)") for u in _URL.findall(value) if terms.is_url(u.rstrip(".,;)")))
    words = _URL.sub(" ", value)
    lower = words.casefold()
    kind = next((k for word, k in KINDS if word in lower), None)
    unfit = next((why for word, why in UNFIT if word in lower), None) if kind is None else None
    named = _BY.search(words)
    responders = context.states.find_in(named.group("name")) if named else ()
    if not responders:
        everywhere = context.states.find_in(words)
        responders = everywhere if len(everywhere) == 1 else ()
    return Reading(kind, unfit, tuple(responders), _day(words), urls)


def _lacks(reading: Reading, began: date) -> list[str]:
    lacks = []
    if reading.kind is None:
        lacks.append(reading.unfit or "no kind of response the graph knows")
    if not reading.responders:
        lacks.append("no responding state recognised")
    if reading.day is None:
        lacks.append("no day on which it was taken")
    elif reading.day < began:
        lacks.append(f"its day {reading.day} is before the operation began ({began})")
    if not reading.urls:
        lacks.append("no URL")
    return lacks


def add_response(
    context: ImportContext,
    value: str,
    *,
    incident: str,
    title: str,
    began: date,
    tracker: str,
    out: terms.Statements,
) -> str | None:
    """The tracker's response text as a response record of ``incident`` in ``out``, or as a
    note on it; ``None`` for a record, else what the text lacks (to report)."""
    reading = read_response(context, value)
    lacks = _lacks(reading, began)
    if lacks:
        out.add(incident, NOTE, terms.text(f"Response noted by the CFR tracker: {value}"))
        return "; ".join(lacks)
    assert reading.kind is not None and reading.day is not None
    who = "-".join(code.lower() for code in reading.responders)
    kind = terms.slug(reading.kind)
    iri = terms.resource(
        "response", f"cfr-{incident.rsplit('/', 1)[-1]}--{who}-{kind}-{reading.day.isoformat()}"
    )
    out.add(iri, terms.RDF_TYPE, terms.cg(reading.kind))
    out.add(iri, terms.LABEL, terms.text(f"{title}: response noted by the CFR tracker"))
    out.add(iri, terms.DESCRIPTION, terms.text(f"The CFR Cyber Operations Tracker notes: {value}"))
    out.add(iri, ATTRIBUTED_TO, tracker)
    for code in reading.responders:
        out.add(iri, terms.cg("respondent"), state_iri(code))
    out.add(iri, terms.cg("respondsTo"), incident)
    out.add(iri, terms.cg("responseDate"), terms.day(reading.day))
    for url in reading.urls:
        out.add(iri, terms.SOURCE, url)
    return None


__all__ = ["KEPT_AS_NOTE", "KINDS", "Reading", "add_response", "read_response"]
