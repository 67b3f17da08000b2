"""The ``#+`` headers of ``.rq`` files, read strictly: each fault named with its file and line."""

from __future__ import annotations

import pytest

from cybergov.errors import HeaderError
from cybergov.sparql.query_files import read_query_file, read_query_folder, split_header

REQUIRED = frozenset({"summary", "description"})
ALLOWED = REQUIRED | frozenset({"tags"})
GOOD = """#+ summary: Every incident
#+ description: >
#+   Each incident with its label,
#+   in order.
#+ tags: [incidents]
SELECT ?incident WHERE { ?incident a <https://w3id.org/cybergov/ontology#Incident> }
"""


def write(tmp_path, text, name="incidents.rq"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_header_and_its_query_are_read_apart():
    header, sparql = split_header(GOOD, "incidents.rq")
    assert header.startswith("summary: Every incident\n")
    assert sparql.startswith("SELECT ?incident")


def test_a_query_file_gives_its_name_header_and_query(tmp_path):
    read = read_query_file(write(tmp_path, GOOD), required=REQUIRED, allowed=ALLOWED)
    assert read.name == "incidents"
    assert read.summary == "Every incident"
    assert read.description == "Each incident with its label, in order."
    assert read.header["tags"] == ["incidents"]
    assert read.sparql.startswith("SELECT ?incident") and "#+" not in read.sparql


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "line 1: a query file must start with a '#+' header"),
        ("#+ summary: [unclosed\nSELECT * { ?s ?p ?o }", "the '#+' header is not valid YAML"),
        ("#+ - a list\nSELECT * { ?s ?p ?o }", "line 1: the '#+' header must be a YAML mapping"),
        ("#+ summary: x\nSELECT * { ?s ?p ?o }", "the '#+' header lacks description"),
        (
            "#+ summary: x\n#+ description: y\n#+ author: z\nSELECT * { ?s ?p ?o }",
            "unknown keys author; allowed are description, summary, tags",
        ),
        ("#+ summary: ' '\n#+ description: y\nSELECT * { }", "summary must be non-empty text"),
        ("#+ summary: x\n#+ description: y\n\n", "has a header but no SPARQL"),
    ],
)
def test_a_faulty_header_is_refused_with_its_file(tmp_path, text, problem):
    path = write(tmp_path, text)
    with pytest.raises(HeaderError) as refused:
        read_query_file(path, required=REQUIRED, allowed=ALLOWED)
    assert str(refused.value).startswith(str(path))
    assert problem in str(refused.value)


def test_a_yaml_error_names_the_line_of_the_header(tmp_path):
    text = "#+ summary: x\n#+ description: y\n#+ tags: [a, b\nSELECT * { ?s ?p ?o }"
    with pytest.raises(HeaderError, match=r", line \d+: the '#\+' header is not valid YAML"):
        read_query_file(write(tmp_path, text), required=REQUIRED, allowed=ALLOWED)


def test_a_folder_is_read_in_name_order_with_its_suffix(tmp_path):
    write(tmp_path, GOOD, "b.rq")
    write(tmp_path, GOOD, "a.rq")
    write(tmp_path, GOOD, "c-violation.rq")
    (tmp_path / "notes.txt").write_text("not a query")
    assert [q.name for q in read_query_folder(tmp_path, required=REQUIRED, allowed=ALLOWED)] == [
        "a",
        "b",
        "c-violation",
    ]
    only = read_query_folder(tmp_path, required=REQUIRED, allowed=ALLOWED, suffix="-violation.rq")
    assert [q.name for q in only] == ["c-violation"]
