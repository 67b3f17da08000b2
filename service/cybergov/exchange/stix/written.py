"""STIX objects written as JSON text, as the ``stix2`` library writes them.

An export writes each object's text itself: its properties, each already JSON text
(:func:`text`, :func:`texts`, the times of :class:`Writer`),
go into a template per *shape* (class and which properties the object has), in the order
the library writes them (its class's properties in their declared order, then the custom
ones sorted, ``stix2.base._STIXBase``). The first object of each shape is built by the
library from that text and written again by it: when the two differ, every object of the
shape is written by the library (:class:`Writer`). :meth:`Written.build` builds any object
with the library.

A shape's verdict is kept for the life of the process, not of one export: whether the
library writes a shape's text the same is a matter of its template (this code and the
library's), not of the data, which is written by the library's own rules (its times, its
JSON encoder). Each export would otherwise check the first object of each of some thirty
shapes again (about a millisecond each).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from json.encoder import encode_basestring
from operator import itemgetter
from typing import Any, NamedTuple

from stix2.properties import TimestampProperty
from stix2.serialization import STIXJSONEncoder
from stix2.utils import format_datetime

#: The JSON text of a string, as the encoder writes it without ``ensure_ascii``.
text: Callable[[str], str] = encode_basestring


def texts(values: list[str]) -> str:
    """The JSON text of a list of strings."""
    return "[" + ", ".join(map(encode_basestring, values)) + "]"


def joined(items: list[str]) -> str:
    """The JSON text of a list of values already written as JSON text."""
    return "[" + ", ".join(items) + "]"


#: JSON values as the library's encoder writes them (``STIXJSONEncoder`` adds nothing for
#: plain values: its separators, escapes and non-ASCII text are the standard encoder's).
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def plain(built: Any) -> dict[str, Any]:
    """What the library writes for an object it built, as JSON values (text for times)."""
    written = json.loads(json.dumps(built, cls=STIXJSONEncoder))
    assert isinstance(written, dict)
    return written


def library_text(built: Any) -> str:
    """The JSON text the library writes for an object it built."""
    return _ENCODER.encode(plain(built))


_UTC_OFFSET = timedelta(0)
#: A time whose fraction of a second the library is asked to write, and the length of the
#: seconds it writes before the fraction (``2000-01-01T00:00:00``).
_REFERENCE = datetime(2000, 1, 1, tzinfo=UTC)
_SECONDS = len("2000-01-01T00:00:00")


class TimeWriter:
    """The library's own cleaning and writing of one precision of timestamp property, as
    JSON text, once per value (many objects share their times).

    A time in UTC is written as its seconds (``2024-05-01T12:00:00``) followed by what the
    library writes for its fraction of a second at this precision: that part, the only
    one the precision changes, is asked of the library once per microsecond value. Any
    other time is given to the library whole."""

    def __init__(self, declared: TimestampProperty) -> None:
        self.declared = declared
        self._fractions: dict[int, str] = {}
        self._seen: dict[datetime, str] = {}

    def library(self, value: datetime) -> str:
        """The time as the library writes it (without quotes)."""
        return str(format_datetime(self.declared.clean(value)[0]))

    def __call__(self, value: datetime) -> str:
        written = self._seen.get(value)
        if written is None:
            if value.utcoffset() == _UTC_OFFSET:
                fraction = self._fractions.get(value.microsecond)
                if fraction is None:
                    reference = _REFERENCE.replace(microsecond=value.microsecond)
                    fraction = self.library(reference)[_SECONDS:]
                    self._fractions[value.microsecond] = fraction
                written = '"' + _seconds(value) + fraction + '"'
            else:
                written = '"' + self.library(value) + '"'
            self._seen[value] = written
        return written


def _seconds(value: datetime) -> str:
    """A time's date and seconds as the library writes them (``strftime``), from
    ``isoformat``, which writes the same for the years it pads alike (1000 to 9999)."""
    if value.year >= 1000:
        return value.isoformat()[:19]
    return value.strftime("%Y-%m-%dT%H:%M:%S")


#: ``created`` and ``modified`` of every STIX 2.1 object (milliseconds, always written).
MILLISECONDS = TimestampProperty(precision="millisecond", precision_constraint="min")


@dataclass(frozen=True, slots=True, eq=False)
class Kind:
    """A STIX class as the export writes it: the order of its properties (the declared
    ones, then the custom ones the export gives it, sorted), and whether it has those.
    Each kind is one object, told apart by identity (a key of every object written)."""

    cls: type[Any]
    custom: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _KINDS.append(self)

    @property
    def type(self) -> str:
        return str(self.cls._type)

    def order(self) -> list[str]:
        return [*self.cls._properties, *sorted(self.custom)]


#: Every kind made in this process, in the order made: a forked child and its parent number
#: the kinds made before the fork alike (see ``stix/apart.py``).
_KINDS: list[Kind] = []


def kind_number(kind: Kind) -> int:
    """The place of a kind among those made in this process."""
    return next(number for number, made in enumerate(_KINDS) if made is kind)


def kind_of(number: int) -> Kind:
    """The kind made in this process at this place (:func:`kind_number`).

    Raises:
        IndexError: fewer kinds were made.
    """
    return _KINDS[number]


class Written(NamedTuple):
    """One STIX object: its identifier, type, time of last change (``modified``, else
    ``created``) and JSON text (a tuple: an export makes one per object)."""

    id: str
    kind: Kind
    modified: datetime
    text: str

    @property
    def type(self) -> str:
        return self.kind.type

    def build(self) -> Any:
        """The object built, and checked, by the library from its text."""
        return self.kind.cls(allow_custom=bool(self.kind.custom), **json.loads(self.text))


class _Shape:
    """The template of one shape's text, and whether the library writes it the same.

    The template is its fixed pieces of text with a slot after each for the value of a
    property (``_pieces``), filled by :meth:`fill` in one join: a third of the time of
    ``%`` formatting by name."""

    __slots__ = ("_pieces", "_values", "same")

    def __init__(self, kind: Kind, names: tuple[str, ...]) -> None:
        given = set(names)
        if not given <= set(kind.order()):
            raise ValueError(f"{kind.type} has no properties {sorted(given - set(kind.order()))}")
        fixed = {"type": text(kind.type), "spec_version": '"2.1"'}
        written = [name for name in kind.order() if name in fixed or name in given]
        pieces: list[str] = []  # each fixed piece, then an empty slot for a value
        slots: list[str] = []
        piece = "{"
        for place, name in enumerate(written):
            piece += (", " if place else "") + f"{text(name)}: "
            if name in fixed:
                piece += fixed[name]
            else:
                pieces += [piece, ""]
                slots.append(name)
                piece = ""
        self._pieces = [*pieces, piece + "}"]
        # the values in the order of their slots, as a tuple (``itemgetter`` of one is not)
        self._values: Callable[[dict[str, str]], tuple[str, ...]] = (
            itemgetter(*slots) if len(slots) > 1 else lambda g: tuple(g[s] for s in slots)
        )
        self.same: bool | None = None

    def fill(self, given: dict[str, str]) -> str:
        """The text of an object of the shape with the ``given`` properties."""
        pieces = self._pieces.copy()
        pieces[1::2] = self._values(given)
        return "".join(pieces)


#: The shapes of every export, with their verdicts (see the module's text): a few dozen.
_SHAPES: dict[tuple[Kind, tuple[str, ...]], _Shape] = {}


class Writer:
    """The objects of one export, written by shape (see the module's text), and its times:
    ``times`` for ``created`` and ``modified``, ``any_time`` for any other (``first_seen``,
    ``published``, a custom time: as precise as it is)."""

    def __init__(self) -> None:
        self._shapes = _SHAPES
        self.times = TimeWriter(MILLISECONDS)
        self.any_time = TimeWriter(TimestampProperty())
        #: Texts an export writes once for the many objects that share them, by what they
        #: are written from: ``created``, ``modified`` and the time of change by a record's
        #: date term and time of change; the local names of concepts by their term.
        self.stamps: dict[tuple[str | None, datetime | None], tuple[datetime, str, str]] = {}
        self.names: dict[str, str] = {}

    def write(
        self, kind: Kind, identifier: str, modified: datetime, given: dict[str, str]
    ) -> Written:
        """The object of ``kind`` with the ``given`` properties (each as JSON text; none
        of ``type`` and ``spec_version``, which the library writes itself)."""
        key = (kind, tuple(given))
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = _Shape(kind, key[1])
        written = Written(identifier, kind, modified, shape.fill(given))
        if shape.same is True:
            return written
        again = library_text(written.build())
        if shape.same is None:
            shape.same = again == written.text
        return written if shape.same else Written(identifier, kind, modified, again)
