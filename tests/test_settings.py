"""The settings: named tokens and their rules, read from the environment as a user sets them."""

from __future__ import annotations

import re

import pytest

from cybergov.errors import SettingsError
from cybergov.settings import MIN_TOKEN_LENGTH, data_root, load_settings, parse_tokens

ALICE = "a" * MIN_TOKEN_LENGTH
BOB = "b" * (MIN_TOKEN_LENGTH + 8)
SETTING = "CYBERGOV_CONTRIBUTOR_TOKENS"


def test_tokens_come_as_pairs_or_as_a_json_object():
    assert parse_tokens(f"alice={ALICE}, bob={BOB}", setting=SETTING) == {
        "alice": ALICE,
        "bob": BOB,
    }
    assert parse_tokens(f"alice={ALICE}\nbob={BOB}\n", setting=SETTING) == {
        "alice": ALICE,
        "bob": BOB,
    }
    assert parse_tokens(f'{{"ngo-lab.2": "{ALICE}"}}', setting=SETTING) == {"ngo-lab.2": ALICE}
    assert parse_tokens("", setting=SETTING) == {}


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (f"alice={'a' * (MIN_TOKEN_LENGTH - 1)}", f"has {MIN_TOKEN_LENGTH - 1} characters"),
        (f"al ice={ALICE}", "'al ice' is not a usable name"),
        (f"-alice={ALICE}", "'-alice' is not a usable name"),
        (f"{'n' * 65}={ALICE}", "is not a usable name"),
        (f"alice={ALICE},bob={ALICE}", "two names share one token"),
        (f"alice={ALICE},alice={BOB}", "the name 'alice' is given twice"),
        (ALICE, "write each token as name=token"),
        ('{"alice": ', "is not a valid JSON object"),
        (["alice"], "must be name=token pairs or a JSON object"),
    ],
)
def test_a_token_that_breaks_a_rule_is_refused_with_the_rule(value, problem):
    with pytest.raises(ValueError, match=re.escape(problem)) as refused:
        parse_tokens(value, setting=SETTING)
    assert str(refused.value).startswith(SETTING)


def test_a_bad_token_in_the_environment_stops_the_settings(monkeypatch):
    monkeypatch.setenv("CYBERGOV_ADMIN_TOKENS", "editor=short")
    with pytest.raises(SettingsError, match="CYBERGOV_ADMIN_TOKENS: the token of 'editor'"):
        load_settings()
    monkeypatch.setenv("CYBERGOV_ADMIN_TOKENS", f"editor={BOB}")
    settings = load_settings()
    assert settings.admin_tokens["editor"].get_secret_value() == BOB
    assert BOB not in repr(settings), "tokens are never shown"


def test_the_readme_states_the_rule_the_code_applies():
    readme = " ".join((data_root() / "README.md").read_text(encoding="utf-8").split())
    stated = re.search(r"at least (\d+) characters each", readme)
    assert stated, "the README says how long a token must be"
    assert int(stated.group(1)) == MIN_TOKEN_LENGTH


def test_a_token_needs_32_characters():
    assert MIN_TOKEN_LENGTH == 32
    with pytest.raises(ValueError, match="has 31 characters; a token needs at least 32"):
        parse_tokens(f"alice={'a' * 31}", setting=SETTING)


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("https://cybergov.example.org/", "https://cybergov.example.org"),
        ("http://127.0.0.1:9000/kg", "http://127.0.0.1:9000/kg"),
    ],
)
def test_the_public_base_is_an_absolute_url(monkeypatch, value, kept):
    monkeypatch.setenv("CYBERGOV_PUBLIC_BASE", value)
    assert load_settings().base_url() == kept


@pytest.mark.parametrize(
    "value", ["cybergov.example.org", "ftp://x.example", "https://x.example/?a=1", "https://u:p@x"]
)
def test_a_public_base_that_is_no_url_stops_the_settings(monkeypatch, value):
    monkeypatch.setenv("CYBERGOV_PUBLIC_BASE", value)
    with pytest.raises(SettingsError, match="CYBERGOV_PUBLIC_BASE"):
        load_settings()
