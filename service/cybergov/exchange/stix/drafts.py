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
from datetime import datetime
from typing import Any

from stix2.properties import TimestampProperty
from stix2.serialization import STIXJSONEncoder
from stix2.utils import format_datetime

#: The properties the library adds to every object by itself, always with the same value.
_FIXED = frozenset({"type", "spec_version"})


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
    """How the library wrote the first object of a shape: the properties in order, each
    with the function that gives its written value."""

    def __init__(
        self,
        draft: Draft,
        built: Any,
        given: dict[str, Any],
        times: dict[tuple[str, str, datetime], str],
    ) -> None:
        skipped = set(built._defaulted_optional_properties)
        self.keys = [k for k in built if k not in skipped]
        self.fixed = {k: built[k] for k in self.keys if draft.properties.get(k) in (None, [])}
        self.copyable = self.fixed.keys() <= _FIXED and all(
            isinstance(v, datetime) or _is_json(v) for v in given.values()
        )
        self.cleaners: dict[str, Callable[[Any], Any]] = {}
        for name in self.keys:
            declared = draft.kind._properties.get(name)
            if isinstance(declared, TimestampProperty):
                self.cleaners[name] = _timestamp(declared, times)
            elif declared is None and isinstance(draft.properties.get(name), datetime):
                self.cleaners[name] = format_datetime

    def plain(self, given: dict[str, Any]) -> dict[str, Any]:
        written = {}
        for name in self.keys:
            if name in self.fixed:
                written[name] = self.fixed[name]
            else:
                clean = self.cleaners.get(name)
                written[name] = clean(given[name]) if clean else given[name]
        return written


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


def _timestamp(
    declared: TimestampProperty, seen: dict[tuple[str, str, datetime], str]
) -> Callable[[Any], str]:
    """The library's own cleaning and writing of one timestamp property, once per value."""
    precision = (declared.precision, declared.precision_constraint)

    def clean(value: datetime) -> str:
        key = (*precision, value)
        text = seen.get(key)
        if text is None:
            text = seen[key] = format_datetime(declared.clean(value)[0])
        return text

    return clean


class ByShape:
    """Drafts as the dictionaries the library writes for them (JSON values only), built
    once per shape."""

    def __init__(self) -> None:
        self._shapes: dict[tuple[Any, ...], _Shape] = {}
        #: The times written so far, by precision: many objects share their times.
        self._times: dict[tuple[str, str, datetime], str] = {}

    def __call__(self, draft: Draft) -> dict[str, Any]:
        given = {k: v for k, v in draft.properties.items() if v is not None and v != []}
        key = (draft.kind, draft.custom, *given)
        shape = self._shapes.get(key)
        if shape is None:
            built = draft.build()
            self._shapes[key] = shape = _Shape(draft, built, given, self._times)
            return plain(built)
        if not shape.copyable:
            return plain(draft.build())
        return shape.plain(given)
