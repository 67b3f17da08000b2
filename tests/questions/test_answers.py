"""Every question answers what the facts of the curated graph imply (tests/questions/expected/)."""

from __future__ import annotations

import pytest

from cybergov import errors
from cybergov.sparql.catalogue import Catalogue, example_values
from cybergov.store import Solutions
from tests.questions.expectations import check, load_cases

CATALOGUE = Catalogue.load()
CASES = load_cases()


def test_every_question_has_expected_answers():
    covered = {name for name, _, _ in CASES}
    missing = sorted(q.name for q in CATALOGUE if q.name not in covered)
    assert missing == [], (
        f"questions without expected answers in tests/questions/expected: {missing}"
    )
    unknown = sorted(covered - {q.name for q in CATALOGUE})
    assert unknown == [], f"expected answers for questions that do not exist: {unknown}"


@pytest.mark.parametrize(
    ("name", "number", "case"), CASES, ids=[f"{name}-{number}" for name, number, _ in CASES]
)
def test_the_answer_follows_from_the_facts(runner, name, number, case):
    question = CATALOGUE.get(name)
    if "error" in case:
        with pytest.raises(getattr(errors, case["error"])):
            runner.answer(question, case.get("params", {}))
        return
    answer = runner.answer(question, case.get("params", {}))
    problems = check(answer, case)
    assert problems == [], f"{name} case {number} ({case.get('why', '').strip()}): {problems}"


@pytest.mark.parametrize("question", list(CATALOGUE), ids=lambda q: q.name)
def test_every_question_runs_with_its_examples(runner, question):
    answer = runner.answer(question, example_values(question))
    assert isinstance(answer, Solutions)
    assert not answer.truncated


@pytest.mark.parametrize("question", list(CATALOGUE), ids=lambda q: q.name)
def test_pages_are_slices_of_the_whole_answer(runner, question):
    values = example_values(question)
    whole = runner.answer(question, values)
    if len(whole.rows) < 3:
        pytest.skip("too few rows to page")
    first = runner.answer(question, values, limit=2)
    second = runner.answer(question, values, limit=2, offset=2)
    assert first.rows == whole.rows[:2]
    assert second.rows == whole.rows[2:4]
