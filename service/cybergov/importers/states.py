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
        that is no name is tried with the next part joined to it.
        """
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
        for pattern, code, adjective in _name_patterns(self.known):
            if adjective and not adjectives:
                continue
            found += [(m.start(), m.end(), code) for m in pattern.finditer(text)]
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
        for pattern, code, _ in _name_patterns(self.known):
            if code not in found and pattern.search(text):
                found.append(code)
        kept = self._found[text] = tuple(found)
        return kept


_PATTERNS: dict[frozenset[str], list[tuple[re.Pattern[str], str, bool]]] = {}


def _name_patterns(known: frozenset[str]) -> list[tuple[re.Pattern[str], str, bool]]:
    """(pattern, code, whether the name is an adjective), longest names first."""
    if known in _PATTERNS:
        return _PATTERNS[known]
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
    patterns = [
        (
            re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", re.IGNORECASE),
            code,
            name in DEMONYMS,
        )
        for name, code in sorted(names.items(), key=lambda item: -len(item[0]))
    ]
    _PATTERNS[known] = patterns
    return patterns


__all__ = ["ALIASES", "DEMONYMS", "Recognised", "StateResolver"]
