"""The query workers read each statement once, however many graphs hold it: their
replica's default graph is the merge of the named graphs (in memory and from a checkpoint
of an on-disk store), while GRAPH patterns and FROM still see every graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from cybergov.execution import QueryRunner
from cybergov.store import EmbeddedStore, Solutions

COPIES = 4
STATEMENTS = "<http://ex/a> <http://ex/p> 1 . <http://ex/a> <http://ex/q> 2 ."


def fill(store: EmbeddedStore) -> None:
    blocks = " ".join(f"GRAPH <http://ex/g{n}> {{ {STATEMENTS} }}" for n in range(COPIES))
    store.update(f"INSERT DATA {{ {blocks} }}")


@pytest.mark.parametrize("on_disk", [False, True], ids=["memory", "disk"])
def test_a_statement_in_several_graphs_is_one_row(tmp_path: Path, on_disk: bool):
    store = EmbeddedStore(tmp_path / "store" if on_disk else None)
    fill(store)
    with QueryRunner(store) as runner:
        rows = runner.select("SELECT ?o WHERE { <http://ex/a> <http://ex/p> ?o }").rows
        assert [row[0].value for row in rows] == ["1"]
        join = runner.select(
            "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://ex/p> ?x ; <http://ex/q> ?y . "
            "?s <http://ex/p> ?z ; <http://ex/q> ?w }"
        )
        assert join.rows[0][0].value == "1"
        graphs = runner.select("SELECT ?g WHERE { GRAPH ?g { <http://ex/a> <http://ex/p> 1 } }")
        assert isinstance(graphs, Solutions) and len(graphs.rows) == COPIES
        named = runner.select("SELECT ?o FROM <http://ex/g1> WHERE { <http://ex/a> ?p ?o }")
        assert len(named.rows) == 2
        # After a write the new replica is merged again.
        store.update("INSERT DATA { GRAPH <http://ex/g9> { <http://ex/a> <http://ex/p> 1 } }")
        again = runner.select("SELECT ?o WHERE { <http://ex/a> <http://ex/p> ?o }").rows
        assert len(again) == 1
    store.close()
