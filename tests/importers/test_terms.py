"""The statements' helpers: a source URL told by one pattern as ``urlsplit`` tells it; a text
in ASCII as its decomposition gives it."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from urllib.parse import urlsplit

from cybergov.importers.terms import ascii_text, is_url


def reference_is_url(value: str) -> bool:
    """``is_url`` as written first: every value split by ``urlsplit``."""
    text = value.strip()
    parts = urlsplit(text)
    return (
        parts.scheme in {"http", "https"}
        and "." in parts.netloc
        and not any(c in text for c in ' <>"{}|\\^`')
        and not any(ord(c) < 0x21 for c in text)
    )


def outcome(check: Callable[[str], bool], value: str) -> bool | str:
    """What ``check`` tells of ``value``, or the error it raises."""
    try:
        return check(value)
    except ValueError as error:
        return f"ValueError: {error}"


VALUES = [
    "https://example.org/synthetic/benchmark/1",
    "http://www.cfr.org/cyber-operations/",
    "  https://example.org/a b  ",
    "HTTPS://Example.ORG/Path?q=1#top",
    "https://user:secret@example.org:8080/x",
    "https://example.org",
    "https://localhost/x",
    "https://[2001:db8::1]/x",
    "https://[example.org/x",
    "https://example.org]/x",
    "https://exa mple.org/",
    "https://example.org/<script>",
    "https://example.org/caf\u00e9",
    "https://\u00e9xample.org/",
    "https://example.org/\u00a0x",
    "\u00a0https://example.org/x\u2003",
    "https:/example.org/x",
    "https:///example.org",
    "ftp://example.org/x",
    "httpx://example.org/x",
    "//example.org/x",
    "example.org/x",
    "https://example.org/a\tb",
    "https://example.org/a\\b",
    "https://example.org/`x`",
    "https://a.b?c",
    "https://a.b#c",
    "https://.",
    "",
]


def test_a_url_is_told_as_urlsplit_tells_it() -> None:
    chance = random.Random(15)
    pieces = ["https://", "http://", "HtTp://", "a", ".", "/", "?", "#", "[", "]", ":", "@"]
    pieces += [" ", "\t", "<", "\\", "%", "\u00e9", "\uff0e", "\uff0f", "-", "org", "x.y"]
    generated = ["".join(chance.choices(pieces, k=chance.randrange(1, 9))) for _ in range(4000)]
    for value in VALUES + generated:
        assert outcome(is_url, value) == outcome(reference_is_url, value), repr(value)
    assert is_url(VALUES[0]) and not is_url(VALUES[2])


def test_a_text_in_ascii_is_its_decomposition_without_the_rest() -> None:
    """An ASCII text is taken as it is: its decomposition is itself."""
    chance = random.Random(16)
    pieces = [chr(c) for c in range(128)] + ["\u00e9", "\u212a", "\uff21", "\u0130", "\u00df"]
    texts = ["".join(chance.choices(pieces, k=chance.randrange(0, 12))) for _ in range(4000)]
    for text in [*texts, "".join(chr(c) for c in range(128)), "Café Ürümqi"]:
        expected = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        assert ascii_text(text) == expected, repr(text)
