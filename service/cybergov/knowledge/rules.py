"""Inference rules: SPARQL CONSTRUCT files applied to the store until nothing new follows.

Each rule writes into its own named graph, ``graph/inferred/<rule>``, so that
every inferred triple can be traced to the rule that made it; the loader
describes each of those graphs and rules in the metadata graph.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from cybergov.errors import DataError
from cybergov.namespaces import CGR, graph_iri
from cybergov.settings import data_folder
from cybergov.sparql.lexer import query_form
from cybergov.sparql.query_files import read_query_folder
from cybergov.store.base import Store

log = logging.getLogger(__name__)

_REQUIRED = frozenset({"summary", "description"})
_ALLOWED = _REQUIRED | frozenset({"tags"})


@dataclass(frozen=True, slots=True)
class Rule:
    """One inference rule, from ``queries/rules/<name>.rq``."""

    name: str
    sparql: str
    summary: str
    description: str
    path: Path

    @property
    def iri(self) -> str:
        return f"{CGR}rule/{self.name}"

    @property
    def graph(self) -> str:
        return graph_iri("inferred", self.name)


@dataclass(frozen=True, slots=True)
class MaterialisationReport:
    """How many triples each rule added, in how many rounds and how long."""

    added: dict[str, int]
    rounds: int
    seconds: float

    @property
    def total(self) -> int:
        return sum(self.added.values())


def read_rules(folder: Path | None = None) -> list[Rule]:
    """The rules of ``queries/rules/``, sorted by name.

    Raises:
        HeaderError: a rule file has a bad ``#+`` header.
    """
    folder = folder or data_folder("queries") / "rules"
    return [
        Rule(q.name, q.sparql, q.summary, q.description, q.path)
        for q in read_query_folder(folder, required=_REQUIRED, allowed=_ALLOWED)
    ]


def materialise(store: Store, rules: list[Rule], *, max_rounds: int = 50) -> MaterialisationReport:
    """Apply every rule, round after round, until a round adds nothing.

    The rules read the union of all graphs, including what earlier rules
    derived, so rules that build on each other reach their fixpoint.

    Raises:
        DataError: a rule is not a CONSTRUCT query, or no fixpoint is reached
            within ``max_rounds``.
    """
    for rule in rules:
        if query_form(rule.sparql) != "CONSTRUCT":
            raise DataError(f"{rule.path}: an inference rule must be a CONSTRUCT query")
    started = time.perf_counter()
    added = dict.fromkeys((rule.name for rule in rules), 0)
    for round_number in range(1, max_rounds + 1):
        added_this_round = 0
        for rule in rules:
            new = store.add_triples(rule.graph, store.construct(rule.sparql))
            added[rule.name] += new
            added_this_round += new
        log.debug("inference round %d added %d triples", round_number, added_this_round)
        if added_this_round == 0:
            return MaterialisationReport(added, round_number, time.perf_counter() - started)
    raise DataError(f"the inference rules reached no fixpoint in {max_rounds} rounds")
