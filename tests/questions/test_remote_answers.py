"""The same questions give the same rows on the embedded store and on an Oxigraph server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyoxigraph import Literal

from cybergov.errors import QueryParameterError
from cybergov.execution import QueryRunner
from cybergov.settings import Settings
from cybergov.sparql.catalogue import Catalogue, Question, example_values
from cybergov.store.remote import RemoteStore

pytestmark = pytest.mark.server
CATALOGUE = Catalogue.load()


@pytest.fixture(scope="module")
def remote_runner(remote_store: RemoteStore) -> Iterator[QueryRunner]:
    with QueryRunner(remote_store, settings=Settings(query_timeout=20)) as runner:
        yield runner


def normal(rows) -> list[str]:
    """Rows as text, the items of GROUP_CONCAT lists sorted (SPARQL leaves their order open)."""

    def item(term) -> str:
        if isinstance(term, Literal) and "; " in term.value:
            return "; ".join(sorted(term.value.split("; ")))
        return str(term)

    return sorted(" | ".join(item(t) for t in row) for row in rows)


def same(embedded, remote) -> None:
    assert remote.variables == embedded.variables
    assert normal(remote.rows) == normal(embedded.rows)
    assert remote.truncated == embedded.truncated


@pytest.mark.parametrize("question", list(CATALOGUE), ids=lambda q: q.name)
def test_the_same_rows_with_the_examples_and_without_parameters(
    runner, remote_runner, question: Question
):
    values = example_values(question)
    same(runner.answer(question, values), remote_runner.answer(question, values))
    try:
        question.bind({})
    except QueryParameterError:
        return  # a required parameter
    same(runner.answer(question, {}), remote_runner.answer(question, {}))
