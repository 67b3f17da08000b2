"""Every question gives the embedded store's answer on the Oxigraph server and on Virtuoso.

The same answer means the same variables and the same rows as a multiset, each
term equal to the embedded one (IRIs, literal values, language tags and
datatypes alike), and the same sequence of rows where the question orders them.
The rules that keep questions portable are in queries/questions/README.md.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

import pytest

from cybergov.errors import QueryParameterError
from cybergov.execution import QueryRunner
from cybergov.settings import Settings
from cybergov.sparql.catalogue import Catalogue, Question, example_values
from cybergov.store import Solutions

pytestmark = pytest.mark.server
CATALOGUE = Catalogue.load()
ENGINES = [
    pytest.param("remote_store", id="oxigraph-server"),
    pytest.param("virtuoso_store", id="virtuoso", marks=pytest.mark.virtuoso),
]


@pytest.fixture(scope="module", params=ENGINES)
def engine(request) -> Iterator[QueryRunner]:
    store = request.getfixturevalue(request.param)
    with QueryRunner(store, settings=Settings(query_timeout=20)) as runner:
        yield runner


def orders(question: Question) -> bool:
    """Whether the question orders its rows (an ORDER BY after its outermost group)."""
    text = question.text()
    return re.search(r"\bORDER\s+BY\b", text[text.rfind("}") :], re.IGNORECASE) is not None


def rows(answer: Solutions) -> list[tuple[str, ...]]:
    """Rows as the N-Triples text of their terms, so that tags and datatypes count."""
    return [tuple("UNBOUND" if term is None else str(term) for term in row) for row in answer.rows]


def assert_same(question: Question, embedded: Solutions, other: Solutions) -> None:
    assert other.variables == embedded.variables
    assert not embedded.truncated and not other.truncated
    if orders(question):
        assert rows(other) == rows(embedded)
    else:
        missing = Counter(rows(embedded)) - Counter(rows(other))
        extra = Counter(rows(other)) - Counter(rows(embedded))
        assert (dict(missing), dict(extra)) == ({}, {}), "rows missing, rows extra"


def cases() -> list[pytest.param]:
    found = []
    for question in CATALOGUE:
        found.append(pytest.param(question, True, id=f"{question.name}-examples"))
        try:
            question.bind({})
        except QueryParameterError:
            continue  # a required parameter
        found.append(pytest.param(question, False, id=f"{question.name}-unbound"))
    return found


@pytest.mark.parametrize(("question", "with_examples"), cases())
def test_the_same_answer_as_the_embedded_store(runner, engine, question, with_examples):
    values = example_values(question) if with_examples else {}
    embedded = runner.answer(question, values)
    assert_same(question, embedded, engine.answer(question, values))


def test_every_question_is_compared():
    names = {case.values[0].name for case in cases()}
    assert names == {question.name for question in CATALOGUE}
