"""Every Turtle file of the project is in the one canonical form, and that form is stable."""

from __future__ import annotations

import pytest

from cybergov.errors import RdfSyntaxError
from cybergov.knowledge.canonical import canonical_turtle
from cybergov.settings import data_root

TURTLE_FILES = sorted(
    path
    for folder in ("ontology", "kg", "shapes")
    for path in (data_root() / folder).rglob("*.ttl")
)


@pytest.mark.parametrize("path", TURTLE_FILES, ids=lambda p: str(p.relative_to(data_root())))
def test_file_is_canonical(path):
    text = path.read_text(encoding="utf-8")
    assert canonical_turtle(text, source=str(path)) == text, (
        f"not canonical; fix with: cybergov fmt {path}"
    )


def test_serialising_twice_gives_the_same_bytes():
    text = (data_root() / "ontology" / "modules" / "actors.ttl").read_text()
    once = canonical_turtle(text, source="actors")
    assert canonical_turtle(once, source="once") == once


def test_a_syntax_error_names_the_source():
    with pytest.raises(RdfSyntaxError, match=r"broken\.ttl"):
        canonical_turtle("<a> <b> ", source="broken.ttl")
