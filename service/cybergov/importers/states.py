"""States recognised from the names trackers give them.

Trackers write states in the UN's style ("Iran (Islamic Republic of)", "Korea
(Democratic People's Republic of)", "Russian Federation"), in ISO 3166's ("Korea,
Democratic People's Republic of") or in everyday words ("Russia", "North Korea"),
and put several in one field ("China, Russian Federation"). A name is looked up in
ISO 3166-1 (``pycountry``, by name, official name, common name and code) and in a
small table of the other spellings; a code is a state of the graph only when the
graph holds ``state:<code>`` (the UN member states). Anything else with an ISO code
(Hong Kong, Taiwan) is a territory, reported, never made a state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pycountry

#: Spellings that ISO 3166-1 does not give, to the alpha-2 code of the state.
ALIASES: dict[str, str] = {
    "iran (islamic republic of)": "IR",
    "iran": "IR",
    "korea (democratic people's republic of)": "KP",
    "democratic people's republic of korea": "KP",
    "north korea": "KP",
    "dprk": "KP",
    "korea (republic of)": "KR",
    "republic of korea": "KR",
    "south korea": "KR",
    "russia": "RU",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "us": "US",
    "united kingdom": "GB",
    "uk": "GB",
    "united kingdom of great britain and northern ireland": "GB",
    "great britain": "GB",
    "venezuela (bolivarian republic of)": "VE",
    "bolivia (plurinational state of)": "BO",
    "micronesia (federated states of)": "FM",
    "syria": "SY",
    "vietnam": "VN",
    "turkey": "TR",
    "türkiye": "TR",
    "laos": "LA",
    "moldova": "MD",
    "tanzania": "TZ",
    "czech republic": "CZ",
    "the netherlands": "NL",
    "netherlands (kingdom of the)": "NL",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "china (people's republic of)": "CN",
    "people's republic of china": "CN",
    "prc": "CN",
    "uae": "AE",
}

#: Adjectives of states, read only in free text (victims, descriptions): "the Ukrainian power
#: grid" names Ukraine. "Korean" alone is left out (which Korea is not said).
DEMONYMS: dict[str, str] = {
    "afghan": "AF", "albanian": "AL", "algerian": "DZ", "american": "US", "u.s.": "US",
    "argentine": "AR", "armenian": "AM", "australian": "AU", "austrian": "AT",
    "azerbaijani": "AZ", "bahraini": "BH", "bangladeshi": "BD", "belarusian": "BY",
    "belgian": "BE", "brazilian": "BR", "british": "GB", "bulgarian": "BG", "canadian": "CA",
    "chilean": "CL", "chinese": "CN", "colombian": "CO", "croatian": "HR", "czech": "CZ",
    "danish": "DK", "dutch": "NL", "egyptian": "EG", "emirati": "AE", "estonian": "EE",
    "ethiopian": "ET", "filipino": "PH", "finnish": "FI", "french": "FR", "georgian": "GE",
    "german": "DE", "greek": "GR", "hungarian": "HU", "indian": "IN", "indonesian": "ID",
    "iranian": "IR", "iraqi": "IQ", "irish": "IE", "israeli": "IL", "italian": "IT",
    "japanese": "JP", "jordanian": "JO", "kazakh": "KZ", "kenyan": "KE", "kuwaiti": "KW",
    "latvian": "LV", "lebanese": "LB", "lithuanian": "LT", "malaysian": "MY", "mexican": "MX",
    "moldovan": "MD", "mongolian": "MN", "montenegrin": "ME", "moroccan": "MA",
    "nigerian": "NG", "north korean": "KP", "norwegian": "NO", "pakistani": "PK",
    "palestinian": "PS", "philippine": "PH", "polish": "PL", "portuguese": "PT", "qatari": "QA",
    "romanian": "RO", "russian": "RU", "saudi": "SA", "serbian": "RS", "singaporean": "SG",
    "slovak": "SK", "slovenian": "SI", "south african": "ZA", "south korean": "KR",
    "spanish": "ES", "swedish": "SE", "swiss": "CH", "syrian": "SY", "taiwanese": "TW",
    "thai": "TH", "turkish": "TR", "ukrainian": "UA", "uzbek": "UZ", "venezuelan": "VE",
    "vietnamese": "VN", "yemeni": "YE",
}  # fmt: skip

_SPACES = re.compile(r"\s+")


def _key(name: str) -> str:
    return _SPACES.sub(" ", name.strip().strip(".").replace("\u2019", "'")).casefold()


@dataclass(frozen=True, slots=True)
class Recognised:
    """What a field of state names holds."""

    states: tuple[str, ...] = ()
    """Alpha-2 codes of the states of the graph, in the order written."""
    territories: tuple[tuple[str, str], ...] = ()
    """(name as written, ISO code) of places with a code that are not states of the graph."""
    unknown: tuple[str, ...] = ()
    """Names recognised as nothing."""


@dataclass(slots=True)
class StateResolver:
    """Names to states of the graph (``known``: the alpha-2 codes of ``state:`` resources)."""

    known: frozenset[str]
    _cache: dict[str, str | None] = field(default_factory=dict)
    #: What :meth:`find_in` found in each text read (a tracker repeats its victims).
    _found: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: What :meth:`recognise` made of each field read (a tracker repeats its sponsors).
    _recognised: dict[str, Recognised] = field(default_factory=dict)

    def code(self, name: str) -> str | None:
        """The ISO 3166-1 alpha-2 code a name stands for (state or territory), or ``None``."""
        key = _key(name)
        if not key:
            return None
        if key in self._cache:
            return self._cache[key]
        found = ALIASES.get(key)
        if found is None:
            try:
                found = pycountry.countries.lookup(key).alpha_2
            except LookupError:
                found = None
        self._cache[key] = found
        return found

    def recognise(self, text: str) -> Recognised:
        """The states, territories and unknown names of a comma-separated field.

        A comma may belong to one name ("Korea, Democratic People's Republic of"): a part
        that is no name is tried with the next part joined to it. Each field is read once.
        """
        kept = self._recognised.get(text)
        if kept is None:
            kept = self._recognised[text] = self._recognise(text)
        return kept

    def _recognise(self, text: str) -> Recognised:
        parts = [p.strip() for p in text.split(",") if p.strip()]
        states: list[str] = []
        territories: list[tuple[str, str]] = []
        unknown: list[str] = []
        i = 0
        while i < len(parts):
            name, code = parts[i], self.code(parts[i])
            if i + 1 < len(parts):
                joined = f"{parts[i]}, {parts[i + 1]}"
                joined_code = self.code(joined)
                if joined_code is not None and (code is None or joined_code != code):
                    name, code = joined, joined_code
                    i += 1
            i += 1
            if code is None:
                unknown.append(name)
            elif code in self.known:
                if code not in states:
                    states.append(code)
            else:
                territories.append((name, code))
        return Recognised(tuple(states), tuple(territories), tuple(unknown))

    def mentions(self, text: str, *, adjectives: bool = True) -> list[tuple[int, int, str]]:
        """(start, end, code) of every state of the graph named in free text."""
        found = []
        lowered = _lowered(text)
        for name in _state_names(self.known):
            if (name.adjective and not adjectives) or not name.may_be_in(lowered):
                continue
            found += [(m.start(), m.end(), name.code) for m in name.pattern().finditer(text)]
        return sorted(found)

    def find_in(self, text: str) -> tuple[str, ...]:
        """The states of the graph named anywhere in free text (victims, descriptions).

        Looks for the common and official names of ISO 3166-1, the names of the table and
        the adjectives of :data:`DEMONYMS`, as whole words. Each text is read once.
        """
        kept = self._found.get(text)
        if kept is not None:
            return kept
        found: list[str] = []
        lowered = _lowered(text)
        for name in _state_names(self.known):
            if name.code not in found and name.may_be_in(lowered) and name.pattern().search(text):
                found.append(name.code)
        kept = self._found[text] = tuple(found)
        return kept


@dataclass(slots=True)
class _StateName:
    """A name of a state as free text writes it, matched as a whole word in any case.

    Its pattern is compiled when first needed: most names are in no text read, and a
    name in ASCII is looked for as a substring of the text in lower case first
    (:func:`_lowered`): a text without it cannot match the name's pattern."""

    name: str
    code: str
    adjective: bool
    lowered: str | None
    """The name in lower case when it is ASCII."""
    compiled: re.Pattern[str] | None = None

    def pattern(self) -> re.Pattern[str]:
        if self.compiled is None:
            self.compiled = re.compile(rf"(?<![\w-]){re.escape(self.name)}(?![\w-])", re.IGNORECASE)
        return self.compiled

    def may_be_in(self, lowered_text: str) -> bool:
        """Whether the name may be in a text (``lowered_text``: the text by :func:`_lowered`)."""
        return self.lowered is None or self.lowered in lowered_text


#: The characters outside ASCII that a case-insensitive pattern matches with an ASCII letter
#: (a dotted and a dotless I, a long s, the Kelvin sign), to that letter.
ASCII_IN_ANY_CASE = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
_TO_ASCII = str.maketrans(ASCII_IN_ANY_CASE)


def _lowered(text: str) -> str:
    """The text in lower case, with each letter that matches an ASCII letter in any case
    written as that letter: a name in ASCII that matches the text in any case is in it."""
    if text.isascii():
        return text.lower()
    return text.translate(_TO_ASCII).lower()


_NAMES: dict[frozenset[str], list[_StateName]] = {}


def _state_names(known: frozenset[str]) -> list[_StateName]:
    """The names of the states of ``known`` in free text, longest first."""
    if known in _NAMES:
        return _NAMES[known]
    names: dict[str, str] = {}
    for country in pycountry.countries:
        if country.alpha_2 not in known:
            continue
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value and "," not in value and "(" not in value:
                names[value] = country.alpha_2
    for alias, code in ALIASES.items():
        if code in known and len(alias) > 3:
            names[alias] = code
    for adjective, code in DEMONYMS.items():
        if code in known:
            names[adjective] = code
    found = [
        _StateName(name, code, name in DEMONYMS, name.lower() if name.isascii() else None)
        for name, code in sorted(names.items(), key=lambda item: -len(item[0]))
    ]
    _NAMES[known] = found
    return found


__all__ = ["ALIASES", "ASCII_IN_ANY_CASE", "DEMONYMS", "Recognised", "StateResolver"]
