"""The CFR Cyber Operations Tracker export (CSV).

Columns: ``Title, Date, Affiliations, Description, Response, Victims, Sponsor, Type,
Category, Sources_1, Sources_2, Sources_3``. Each row becomes an incident, or a group when
its title is a threat actor's name (then with its sponsor as a sourced sponsorship link,
stated by the tracker). The tracker's sponsors are its attribution: one record by
``cso:council-on-foreign-relations`` with the basis ``attribution-basis:tracker-coding``,
the status ``claimed``, no stated confidence, the row's sources, and as its date the day
of the export (the tracker's coding was public by then; ``--as-of`` names another day).
A row that matches a curated incident gives it the attribution and its title as an
alternative label, in the import's graph; the curated incident itself is never edited.

``Response`` becomes the tracker's note of a response: a response record when the text
names its kind, the responding state, the day and a URL, else a note on the incident
(:mod:`cybergov.importers.cfr_responses`). What is not imported: the sector ``Private
sector`` (no one sector).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from cybergov.errors import ImportInputError
from cybergov.importers import terms
from cybergov.importers.cfr_responses import KEPT_AS_NOTE, add_response
from cybergov.importers.common import (
    attribution,
    group,
    record_group_match,
    sponsorship,
    state_iri,
    state_name,
)
from cybergov.importers.context import ImportContext
from cybergov.importers.matching import Candidate, GroupMatcher, IncidentMatcher, compact
from cybergov.importers.model import (
    REFUSED,
    WITHOUT_FIELD,
    WITHOUT_TYPE_OR_TARGET,
    Batch,
    Importer,
    Match,
    Progress,
    Record,
    Verdict,
)
from cybergov.namespaces import CGR

COLUMNS = (
    "Title",
    "Date",
    "Affiliations",
    "Description",
    "Response",
    "Victims",
    "Sponsor",
    "Type",
    "Category",
    "Sources_1",
    "Sources_2",
    "Sources_3",
)
TRACKER = f"{CGR}cso/council-on-foreign-relations"
HOME = "https://www.cfr.org/cyber-operations/"
NAME = "the CFR Cyber Operations Tracker"

TYPES = {
    "espionage": "espionage",
    "sabotage": "sabotage",
    "denial of service": "denial-of-service",
    "data destruction": "destruction",
    "doxing": "hack-and-leak",
    "defacement": "defacement",
}
SECTORS = {
    "government": "government",
    "military": "defence",
    "civil society": "civil-society",
    "private sector": None,
}
#: A group's name: an identifier such as "APT 28" (the whole title), or a name ending in a
#: word such as "Panda" or "Typhoon".
_GROUP_CODE = re.compile(r"(apt|ta|unc|fin|temp|tag|dev)[\s.\-]*\d+$", re.IGNORECASE)
_GROUP_WORD = re.compile(
    r"\b(group|team|panda|bear|kitten|chollima|spider|typhoon|blizzard|sandstorm|sleet|"
    r"tempest|cyclone|hail|flood|dust)s?$",
    re.IGNORECASE,
)
#: The last characters of a title that can hold a match of :data:`_GROUP_WORD` (its longest
#: word with an s, and a line break that ``$`` may stand before).
_GROUP_WORD_TAIL = 11
_DATE_FORMATS = (
    ("%Y-%m-%d", "day"),
    ("%m/%d/%Y", "day"),
    ("%B %d, %Y", "day"),
    ("%d %B %Y", "day"),
    ("%Y-%m", "month"),
    ("%B %Y", "month"),
    ("%Y", "year"),
)


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(value: str) -> tuple[date, str] | None:
    """A date of the tracker and how precisely it is known, or ``None``.

    A day written ``YYYY-MM-DD`` (most rows) is read by ``date.fromisoformat``, which reads
    it as the first pattern does, at a fraction of ``strptime``'s cost."""
    text = value.strip()
    if _ISO_DAY.fullmatch(text):
        try:
            return date.fromisoformat(text), "day"
        except ValueError:
            pass
    return date_by_patterns(text)


def date_by_patterns(text: str) -> tuple[date, str] | None:
    """A date read by the first of the tracker's patterns that fits ``text``, with its
    precision, or ``None``."""
    for pattern, precision in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date(), precision
        except ValueError:
            continue
    return None


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportInputError(
            f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from error
    except OSError as error:
        raise ImportInputError(f"{path}: cannot be read ({error.strerror or error})") from error
    reader = csv.reader(io.StringIO(content, newline=""))
    header: list[str] = next(reader, [])
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportInputError(
            f"{path}: not a CFR tracker export; missing columns: {', '.join(missing)}"
        )
    # where each column is read (the last of two with one name, as ``csv.DictReader`` does)
    places = {name: place for place, name in enumerate(header) if name in COLUMNS}
    line = reader.line_num
    try:
        for first in reader:
            line = reader.line_num  # blank lines are skipped (the number of an error)
            values: list[str] | None = first
            while values == []:
                values = next(reader, None)
            if values is None:
                return
            line = reader.line_num
            width = len(values)
            yield line, {c: values[i].strip() if i < width else "" for c, i in places.items()}
    except csv.Error as error:
        raise ImportInputError(f"{path}, line {line}: {error}") from error


def _note(batch: Batch, row: str, title: str, record: str, candidate: Candidate) -> None:
    batch.matches.append(
        Match(
            row,
            title,
            "incident",
            record,
            candidate.curated,
            candidate.score,
            candidate.reason,
            candidate.verdict or Verdict.REVIEW,
            candidate.decided,
        )
    )


@dataclass(slots=True)
class _Reading:
    """The state of reading one export: what was seen, made and matched so far."""

    context: ImportContext
    batch: Batch
    incidents: IncidentMatcher
    groups: GroupMatcher
    own_groups: dict[str, str] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)
    used: dict[str, str] = field(default_factory=dict)
    #: The IRIs of the incidents made so far (a set: a large export has many rows).
    made: set[str] = field(default_factory=set)

    def duplicate(self, row_id: str, key: str) -> bool:
        if key in self.seen:
            self.batch.problem(row_id, "Title", f"duplicate of row {self.seen[key]}", REFUSED)
            return True
        self.seen[key] = int(row_id)
        return False

    def sources(self, row_id: str, row: dict[str, str]) -> list[str]:
        found = []
        for column in ("Sources_1", "Sources_2", "Sources_3"):
            value = row[column]
            if not value:
                continue
            if terms.is_url(value):
                found.append(value)
            else:
                self.batch.problem(row_id, column, f"not a URL: {value[:80]!r}", WITHOUT_FIELD)
        if not found:
            self.batch.problem(
                row_id, "Sources", "no source of its own", "imported with the tracker as its source"
            )
            found.append(HOME)
        return found

    def sponsors(self, row_id: str, row: dict[str, str]) -> list[str]:
        if not row["Sponsor"]:
            return []
        found = self.context.states.recognise(row["Sponsor"])
        for name, code in found.territories:
            self.batch.problem(
                row_id,
                "Sponsor",
                f"{name!r} is a territory ({code}), not a state of the graph",
                "imported without that sponsor",
            )
        for name in found.unknown:
            self.batch.problem(
                row_id, "Sponsor", f"unknown sponsor name {name!r}", "imported without that sponsor"
            )
        return list(found.states)

    def description(self, row_id: str, row: dict[str, str], stock: str) -> str:
        if row["Description"]:
            return row["Description"]
        self.batch.problem(row_id, "Description", "empty", "imported with a stock description")
        return stock


def _is_group(title: str, known: set[str]) -> bool:
    """A row whose title is a threat actor's name rather than an operation's."""
    text = title.strip()
    if _GROUP_CODE.match(text) or _GROUP_WORD.search(text, max(0, len(text) - _GROUP_WORD_TAIL)):
        return True
    return compact(title) in known


def _group(reading: _Reading, row_id: str, row: dict[str, str]) -> None:
    title = row["Title"]
    if reading.duplicate(row_id, f"group {compact(title)}"):
        return
    iri = terms.resource("group", f"cfr-{terms.slug(title, limit=50)}")
    out = terms.Statements()
    description = reading.description(row_id, row, f"Threat-actor group listed in {NAME}.")
    sources = reading.sources(row_id, row)
    group(
        out,
        iri,
        name=title,
        description=description,
        sources=sources,
        aliases=[],
        assigned_by=TRACKER,
    )
    for code in reading.sponsors(row_id, row):
        sponsorship(out, iri, title, code, stated_by=TRACKER, sources=sources, according_to=NAME)
    record = Record(row_id, "group", iri, title, out)
    record_group_match(reading.batch, record, reading.groups.best(title, [], None), out)
    reading.own_groups[compact(title)] = iri
    reading.batch.records.append(record)


def _start(reading: _Reading, row_id: str, value: str) -> tuple[date, str] | None:
    """The day a row's operation began and how precisely it is known, or ``None`` (reported)."""
    batch = reading.batch
    if not value:
        batch.problem(row_id, "Date", "empty; an incident needs the day it began", REFUSED)
        return None
    parsed = parse_date(value)
    if parsed is None:
        batch.problem(row_id, "Date", f"not a date: {value!r}", REFUSED)
        return None
    if parsed[0] > reading.context.as_of:
        batch.problem(
            row_id,
            "Date",
            f"{parsed[0]} is after the export's day {reading.context.as_of}",
            REFUSED,
        )
        return None
    return parsed


def _checked(reading: _Reading, row_id: str, row: dict[str, str]) -> tuple[date, str, str] | None:
    """The start, its precision and the incident type of a row, or ``None`` (reported)."""
    if not row["Title"]:
        reading.batch.problem(row_id, "Title", "empty", REFUSED)
        return None
    parsed = _start(reading, row_id, row["Date"])
    if parsed is None or reading.duplicate(row_id, f"incident {compact(row['Title'])} {parsed[0]}"):
        return None
    kind = TYPES.get(row["Type"].casefold())
    if kind is None:
        problem = "empty" if not row["Type"] else f"unknown type {row['Type']!r}"
        reading.batch.problem(row_id, "Type", f"{problem}; an incident needs its type", REFUSED)
        return None
    return parsed[0], parsed[1], kind


def _victims(context: ImportContext, victims: str) -> list[str]:
    found = list(context.states.find_in(victims))
    found += [c for c in context.states.recognise(victims).states if c not in found]
    return found


def _incident(reading: _Reading, row_id: str, row: dict[str, str]) -> None:
    checked = _checked(reading, row_id, row)
    if checked is None:
        return
    start, precision, kind = checked
    title, context, batch = row["Title"], reading.context, reading.batch
    victims = _victims(context, row["Victims"])
    sponsors = reading.sponsors(row_id, row)
    affiliations = [a.strip() for a in row["Affiliations"].split(",") if a.strip()]
    sources = reading.sources(row_id, row)
    attributed = [state_iri(c) for c in sponsors] + [
        reading.own_groups[compact(a)] for a in affiliations if compact(a) in reading.own_groups
    ]
    names = ", ".join(state_name(c) for c in sponsors) or "the groups named"
    candidate = reading.incidents.best(
        title, start=start, countries=set(victims), group_names=set(affiliations)
    )
    if candidate is not None and candidate.verdict is Verdict.MATCHED:
        if candidate.curated in reading.used:
            candidate = Candidate(
                candidate.curated,
                candidate.score,
                f"{candidate.reason}; row {reading.used[candidate.curated]} matched it first",
                Verdict.REVIEW,
            )
        else:
            reading.used[candidate.curated] = row_id
            _matched(
                reading,
                row_id,
                row,
                title=title,
                start=start,
                candidate=candidate,
                attributed=attributed,
                sources=sources,
            )
            return
    if not victims:
        batch.problem(
            row_id,
            "Victims",
            f"no state recognised in {row['Victims'][:80]!r}",
            WITHOUT_TYPE_OR_TARGET,
        )
    local = f"cfr-{terms.slug(title, limit=50)}-{start.year}"
    iri = terms.resource("incident", local)
    suffix = 2
    while iri in reading.made:
        iri = terms.resource("incident", f"{local}-{suffix}")
        suffix += 1
    reading.made.add(iri)
    if candidate is not None:
        _note(batch, row_id, title, iri, candidate)
    out = terms.Statements()
    out.add(iri, terms.RDF_TYPE, terms.cg("Incident"))
    out.add(iri, terms.LABEL, terms.text(title))
    stock = f"Operation recorded in {NAME} as {title!r}."
    out.add(iri, terms.DESCRIPTION, terms.text(reading.description(row_id, row, stock)))
    out.add(iri, terms.cg("startDate"), terms.day(start))
    if precision != "day":
        out.add(iri, terms.cg("datePrecision"), terms.resource("precision", precision))
    out.add(iri, terms.cg("incidentType"), terms.resource("incident-type", kind))
    for code in victims:
        out.add(iri, terms.cg("targetCountry"), state_iri(code))
    _sector(batch, row_id, row["Category"], iri, out)
    for source in sources:
        out.add(iri, terms.SOURCE, source)
    if attributed:
        attribution(
            out,
            terms.resource("attribution", f"{iri.rsplit('/', 1)[-1]}--cfr"),
            label=f"{title}: {NAME}'s attribution to {names}",
            tracker=TRACKER,
            incident=iri,
            to=attributed,
            when=context.as_of,
            sources=sources,
        )
    _response(reading, row_id, row, incident=iri, title=title, began=start, out=out)
    batch.records.append(Record(row_id, "incident", iri, title, out, untyped=not victims))


def _response(
    reading: _Reading,
    row_id: str,
    row: dict[str, str],
    *,
    incident: str,
    title: str,
    began: date,
    out: terms.Statements,
) -> None:
    """The row's ``Response`` as a response record or a note (:mod:`cfr_responses`)."""
    if not row["Response"]:
        return
    lacks = add_response(
        reading.context,
        row["Response"],
        incident=incident,
        title=title,
        began=began,
        tracker=TRACKER,
        out=out,
    )
    if lacks is not None:
        reading.batch.problem(row_id, "Response", lacks, KEPT_AS_NOTE)


def _sector(batch: Batch, row_id: str, category: str, iri: str, out: terms.Statements) -> None:
    if not category:
        return
    if category.casefold() not in SECTORS:
        batch.problem(row_id, "Category", f"unknown category {category!r}", WITHOUT_FIELD)
        return
    sector = SECTORS[category.casefold()]
    if sector is not None:
        out.add(iri, terms.cg("targetSector"), terms.resource("sector", sector))


def _matched(
    reading: _Reading,
    row_id: str,
    row: dict[str, str],
    *,
    title: str,
    start: date,
    candidate: Candidate,
    attributed: list[str],
    sources: list[str],
) -> None:
    """The tracker's title and attribution on a curated incident, in the import's graph."""
    _note(reading.batch, row_id, title, candidate.curated, candidate)
    curated = candidate.curated
    out = terms.Statements()
    out.add(curated, terms.ALT_LABEL, terms.text(title))
    if attributed:
        attribution(
            out,
            terms.resource("attribution", f"{curated.rsplit('/', 1)[-1]}--cfr"),
            label=f"{title}: {NAME}'s attribution",
            tracker=TRACKER,
            incident=curated,
            to=attributed,
            when=reading.context.as_of,
            sources=sources,
        )
    known = reading.context.incidents.get(curated)
    began = max(start, known.start) if known is not None and known.start else start
    _response(reading, row_id, row, incident=curated, title=title, began=began, out=out)
    reading.batch.records.append(Record(row_id, "incident", curated, title, out, new=False))


class CfrImporter(Importer):
    """Rows of the CFR tracker to incidents and groups, and the tracker's attributions."""

    source = "cfr"
    version = "1.0"
    tracker = TRACKER
    home = HOME

    def read(self, path: Path, context: ImportContext, progress: Progress | None = None) -> Batch:
        rows = list(_rows(path))
        batch = Batch(rows=len(rows))
        reading = _Reading(
            context,
            batch,
            IncidentMatcher(context, self.source),
            GroupMatcher(context, self.source),
        )
        known = {compact(n) for g in context.groups.values() for n in g.names}
        group_rows = {n for n, row in rows if _is_group(row["Title"], known)}
        for number, row in rows:
            if number in group_rows:
                _group(reading, str(number), row)
        for done, (number, row) in enumerate(rows, 1):
            if number not in group_rows:
                _incident(reading, str(number), row)
            if progress is not None and (done % 500 == 0 or done == len(rows)):
                progress(done, len(rows))
        return batch


__all__ = ["COLUMNS", "CfrImporter", "parse_date"]
