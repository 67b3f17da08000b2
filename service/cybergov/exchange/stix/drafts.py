"""STIX objects before they are built: a ``stix2`` class and the properties to give it.

An export holds drafts, and writes them in one of two ways that give the same bytes:

- **checked**: every draft built with its ``stix2`` class (the library checks every
  property of every object), then written with the library's encoder;
- **by shape** (what the bundle is written with): the first draft of each *shape* (class,
  custom or not, and which properties it has) is built with the library as above; the
  others of that shape take the same properties in the same order, with their timestamps
  cleaned and written by the library's own timestamp property and formatter. A shape whose
  built object gains a property the draft did not give, other than the fixed ``type`` and
  ``spec_version``, is never copied: each of its drafts is built.

Every value a draft holds is made by the export's own code from the graph (identifiers,
references, vocabularies, confidences): the first object of each shape checks the kind of
each property, and a test checks that the two ways give the same bytes on the bundled graph.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from json.encoder import encode_basestring
from operator import itemgetter
from typing import Any

from stix2.properties import TimestampProperty
from stix2.serialization import STIXJSONEncoder
from stix2.utils import format_datetime

#: The properties the library adds to every object by itself, always with the same value.
_FIXED = frozenset({"type", "spec_version"})
_UTC_OFFSET = timedelta(0)
#: A time whose fraction of a second the library is asked to write, and the length of the
#: seconds it writes before the fraction (``2000-01-01T00:00:00``).
_REFERENCE = datetime(2000, 1, 1, tzinfo=UTC)
_SECONDS = len("2000-01-01T00:00:00")
#: How the library writes a time of a property it does not declare (a custom one).
_ANY_TIME = TimestampProperty()


@dataclass(frozen=True, slots=True)
class Draft:
    """One STIX object to be: its ``stix2`` class and the properties to give it."""

    kind: type[Any]
    properties: dict[str, Any]
    custom: bool = False

    @property
    def id(self) -> str:
        return str(self.properties["id"])

    @property
    def type(self) -> str:
        return str(self.kind._type)

    @property
    def modified(self) -> datetime:
        """When the object last changed (its ``created`` when it has no ``modified``)."""
        moment = self.properties.get("modified") or self.properties["created"]
        assert isinstance(moment, datetime)
        return moment

    def build(self) -> Any:
        """The object, built and checked by the library."""
        return self.kind(allow_custom=self.custom, **self.properties)


def checked(draft: Draft) -> Any:
    """The draft built by the library, to be written with ``STIXJSONEncoder``."""
    return draft.build()


def plain(built: Mapping[str, Any]) -> dict[str, Any]:
    """What the library writes for an object it built, as JSON values (text for times)."""
    written = json.loads(json.dumps(built, cls=STIXJSONEncoder))
    assert isinstance(written, dict)
    return written


class _Shape:
    """How the library wrote the first object of a shape: a template of its text, with the
    properties in order, each either the same text in every object of the shape or a
    slot for the draft's value, written as the encoder writes it (times as the library
    writes them)."""

    def __init__(self, draft: Draft, built: Any, given: dict[str, Any], texts: _Texts) -> None:
        skipped = set(built._defaulted_optional_properties)
        keys = [k for k in built if k not in skipped]
        written = plain(built)
        fixed = {k for k in keys if draft.properties.get(k) in (None, [])}
        self.copyable = fixed <= _FIXED and all(
            isinstance(v, datetime) or _is_json(v) for v in given.values()
        )
        self.texts = texts
        pieces: list[str] = []
        strings: list[str] = []
        #: The properties written by ``_Texts.value`` (lists, dictionaries, numbers).
        self.others: list[str] = []
        #: The times, each with how it is written.
        self.times: list[tuple[str, Callable[[datetime], str]]] = []
        for name in keys:
            prefix = f"{encode_basestring(name)}: ".replace("%", "%%")
            if name in fixed:
                pieces.append(prefix + texts.value(written[name]).replace("%", "%%"))
                continue
            pieces.append(f"{prefix}%({name})s")
            declared = draft.kind._properties.get(name)
            if isinstance(declared, TimestampProperty):
                self.times.append((name, _timestamp(declared, texts.times)))
            elif declared is None and isinstance(given[name], datetime):
                # a custom time, written as the library writes one of any precision
                self.times.append((name, _timestamp(_ANY_TIME, texts.times)))
            elif type(given[name]) is str:
                strings.append(name)
            else:
                self.others.append(name)
        self.template = "{" + ", ".join(pieces) + "}"
        #: The properties whose values are text (in the first object of the shape).
        self.strings = tuple(strings)
        self.get_strings = _getter(self.strings)

    def text(self, given: dict[str, Any]) -> str:
        """The JSON text of an object of this shape with the given properties (others may
        be there, empty: only the shape's are read)."""
        value, encode = self.texts.value, encode_basestring
        try:
            slots = dict(zip(self.strings, map(encode, self.get_strings(given)), strict=True))
        except TypeError:  # a value that is not text where the first object had text
            slots = {name: value(given[name]) for name in self.strings}
        for name, write in self.times:
            moment = given[name]
            slots[name] = '"' + write(moment) + '"' if type(moment) is not str else encode(moment)
        for name in self.others:
            slots[name] = value(given[name])
        return self.template % slots


def _getter(names: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """The values of ``names`` in a dictionary, as a tuple (``itemgetter`` for two or more)."""
    if len(names) > 1:
        return itemgetter(*names)

    def few(given: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(given[name] for name in names)

    return few


#: JSON values as the library's encoder writes them (``STIXJSONEncoder`` adds nothing for
#: plain values: its separators, escapes and non-ASCII text are the standard encoder's).
_ENCODER = json.JSONEncoder(ensure_ascii=False)
#: The times written so far, by precision: many objects share their times.
_Times = dict[tuple[str, str, datetime], str]


class _Texts:
    """The JSON text of values, as the encoder writes them: text, lists and dictionaries
    written here (with its separators and escapes), anything else by the encoder. A list or
    a dictionary that many objects share (a source, the markings) is written once: it is
    kept, with its text, while the texts are."""

    def __init__(self) -> None:
        self.times: _Times = {}
        self._shared: dict[int, tuple[object, str]] = {}

    def value(self, value: Any) -> str:
        kind = type(value)
        if kind is str:
            return str(encode_basestring(value))
        if kind is not list and kind is not dict:
            return _ENCODER.encode(value)
        kept = self._shared.get(id(value))
        if kept is not None and kept[0] is value:
            return kept[1]
        encode = encode_basestring
        if kind is list:
            items = [encode(v) if type(v) is str else self.value(v) for v in value]
            text = "[" + ", ".join(items) + "]"
        else:
            items = [
                f"{encode(k)}: {encode(v) if type(v) is str else self.value(v)}"
                for k, v in value.items()
            ]
            text = "{" + ", ".join(items) + "}"
        self._shared[id(value)] = (value, text)
        return text


def _is_json(value: Any) -> bool:
    """Whether a given value is written as it is: text, a number, a truth value, or a list
    or a dictionary of those (written in its own order: give what ``plain`` wrote)."""
    if isinstance(value, str | int | float | bool):
        return True
    if isinstance(value, list):
        return all(map(_is_json, value))
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v) for k, v in value.items())
    return False


def _timestamp(declared: TimestampProperty, seen: _Times) -> Callable[[datetime], str]:
    """The library's own cleaning and writing of one timestamp property, once per value.

    A time in UTC is written as its seconds (``2024-05-01T12:00:00``) followed by what the
    library writes for its fraction of a second at this property's precision: that part,
    the only one the precision changes, is asked of the library once per microsecond value.
    Any other time is given to the library whole."""
    precision = (declared.precision, declared.precision_constraint)
    fractions: dict[int, str] = {}

    def library(value: datetime) -> str:
        return str(format_datetime(declared.clean(value)[0]))

    def clean(value: datetime) -> str:
        key = (*precision, value)
        text = seen.get(key)
        if text is None:
            if value.utcoffset() == _UTC_OFFSET:
                fraction = fractions.get(value.microsecond)
                if fraction is None:
                    reference = _REFERENCE.replace(microsecond=value.microsecond)
                    fraction = fractions[value.microsecond] = library(reference)[_SECONDS:]
                text = _seconds(value) + fraction
            else:
                text = library(value)
            seen[key] = text
        return text

    return clean


def _seconds(value: datetime) -> str:
    """A time's date and seconds as the library writes them (``strftime``), from
    ``isoformat``, which writes the same for the years it pads alike (1000 to 9999)."""
    if value.year >= 1000:
        return value.isoformat()[:19]
    return value.strftime("%Y-%m-%dT%H:%M:%S")


class ByShape:
    """Drafts as the JSON text the library writes for them, built once per shape."""

    def __init__(self) -> None:
        self._shapes: dict[tuple[Any, ...], _Shape] = {}
        self._texts = _Texts()

    def text(self, draft: Draft) -> str:
        """The draft's object as JSON text."""
        properties = draft.properties
        given = [k for k, v in properties.items() if not (v is None or v == [])]
        key = (draft.kind, draft.custom, *given)
        shape = self._shapes.get(key)
        if shape is None:
            built = draft.build()
            values = {k: properties[k] for k in given}
            self._shapes[key] = _Shape(draft, built, values, self._texts)
            return _ENCODER.encode(plain(built))
        if not shape.copyable:
            return _ENCODER.encode(plain(draft.build()))
        return shape.text(properties)  # the shape reads only the given properties

    def __call__(self, draft: Draft) -> dict[str, Any]:
        """The draft's object as the dictionary the library writes (JSON values only)."""
        written = json.loads(self.text(draft))
        assert isinstance(written, dict)
        return written
