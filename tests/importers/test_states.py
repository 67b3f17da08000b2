"""States from the names trackers write (UN style, ISO style, everyday words, adjectives)."""

from __future__ import annotations

import pytest

from cybergov.importers.states import StateResolver

#: A few of the states of kg/states.ttl (their ISO 3166-1 alpha-2 codes).
RESOLVER = StateResolver(
    frozenset(("CN", "RU", "IR", "KP", "KR", "US", "GB", "VN", "UA", "DE", "SY"))
)


@pytest.mark.parametrize(
    ("field", "states"),
    [
        ("Russian Federation", ("RU",)),
        ("China, Russian Federation", ("CN", "RU")),
        ("Iran (Islamic Republic of)", ("IR",)),
        ("Korea (Democratic People's Republic of)", ("KP",)),
        ("Korea, Democratic People's Republic of, Russian Federation", ("KP", "RU")),
        ("Korea (Republic of)", ("KR",)),
        ("United States, Viet Nam", ("US", "VN")),
        ("Syrian Arab Republic", ("SY",)),
        ("United Kingdom of Great Britain and Northern Ireland", ("GB",)),
    ],
)
def test_un_style_names_are_states(field: str, states: tuple[str, ...]) -> None:
    found = RESOLVER.recognise(field)
    assert found.states == states
    assert not found.unknown and not found.territories


def test_territories_and_unknown_names_are_reported_not_made_states() -> None:
    found = RESOLVER.recognise("Hong Kong, Atlantis, China")
    assert found.states == ("CN",)
    assert found.territories == (("Hong Kong", "HK"),)
    assert found.unknown == ("Atlantis",)


def test_states_in_free_text() -> None:
    assert set(RESOLVER.find_in("The Ukrainian power grid and a German utility")) == {"DE", "UA"}
    assert RESOLVER.find_in("U.S. Democratic National Committee") == ("US",)
    assert RESOLVER.find_in("Korean broadcasters") == ()
