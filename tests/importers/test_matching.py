"""The matcher's shortcuts give what the plain computation gives: a name's likeness worked
out only when it could beat the best so far; the states of a text found once per text; a
day read without ``strptime``."""

from __future__ import annotations

import csv
from datetime import date
from difflib import SequenceMatcher
from itertools import pairwise

from cybergov.importers.cfr import date_by_patterns, parse_date
from cybergov.importers.matching import compact, name_score, normal
from cybergov.importers.states import StateResolver
from tests.importers.conftest import CFR_FIXTURE

NAMES = {
    "NotPetya",
    "WannaCry",
    "Sony Pictures hack",
    "Operation Aurora",
    "Ukrainian power grid attack",
    "Attack on the Ukrainian power grid, 2015",
    "SolarWinds supply-chain compromise",
    "APT 28 intrusion into the Bundestag",
    "Bangladesh Bank heist",
    "Shamoon",
    "Stuxnet",
}


def reference_score(title: str, names: set[str]) -> tuple[float, str]:
    """``name_score`` as written first: every likeness worked out."""
    best, best_name = 0.0, ""
    plain, packed = normal(title), compact(title)
    for name in names:
        other = normal(name)
        score = SequenceMatcher(None, plain, other).ratio() if plain and other else 0.0
        other_packed = compact(name)
        if len(other_packed) >= 5 and (other_packed in packed or packed in other_packed):
            score = max(score, 0.9 if other_packed != packed else 1.0)
        if score > best:
            best, best_name = score, name
    return best, best_name


def titles() -> list[str]:
    with CFR_FIXTURE.open(encoding="utf-8") as rows:
        found = [row["Title"] for row in csv.DictReader(rows)]
    return [*found, *NAMES, "", "the", "Bundestag", "Petya", "power grid", "Wanna Cry 2.0"]


def test_the_name_score_is_the_plain_computation() -> None:
    for title in titles():
        assert name_score(title, NAMES) == reference_score(title, NAMES), title
    for first, second in pairwise(sorted(NAMES)):
        pair = {first, second}
        assert name_score(first, pair) == reference_score(first, pair)


def test_the_states_of_a_text_are_found_once_and_alike() -> None:
    known = frozenset(("CN", "RU", "IR", "KP", "US", "GB", "UA", "DE", "FR", "JP", "IN"))
    remembering, fresh = StateResolver(known), StateResolver(known)
    texts = ["Ukraine", "United States, the German Bundestag", "Acme Widgets Ltd", "Ukraine"]
    first = [remembering.find_in(text) for text in texts]
    assert first == [remembering.find_in(text) for text in texts]
    assert first == [StateResolver(known).find_in(text) for text in texts]
    assert set(first[1]) == {"US", "DE"}
    assert fresh.find_in("Ukraine") == ("UA",)


def test_a_day_is_read_as_the_tracker_patterns_read_it() -> None:
    """``parse_date`` reads ``YYYY-MM-DD`` without ``strptime``: the same as trying the
    patterns in turn, for good, impossible and odd days."""
    values = [
        "2017-06-27",
        " 2017-06-27 ",
        "2020-02-29",
        "2019-02-29",
        "2020-13-01",
        "0000-01-01",
        "2020-1-05",
        "20200105",
        "2020-W01-1",
        "2020-01-05T10:00",
        "\u0662\u0660\u0662\u0660-\u0660\u0661-\u0660\u0665",  # Arabic-Indic digits
        "06/27/2017",
        "June 27, 2017",
        "2017-06",
        "2017",
        "",
    ]
    for value in values:
        assert parse_date(value) == date_by_patterns(value.strip()), value
    assert date_by_patterns("06/27/2017") == (date(2017, 6, 27), "day")
    assert date_by_patterns("June 27, 2017") == (date(2017, 6, 27), "day")
    assert date_by_patterns("2017-06") == (date(2017, 6, 1), "month")
    assert date_by_patterns("2017") == (date(2017, 1, 1), "year")
    assert date_by_patterns("2019-02-29") is None
