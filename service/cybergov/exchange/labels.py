"""Choosing one label for a term among those the graph gives it."""

from __future__ import annotations

from pyoxigraph import Literal

from cybergov.store.base import Term


def label_rank(label: Literal) -> int:
    """How good a label is for an English page: English first, then plain, then the rest."""
    if label.language == "en" or (label.language or "").startswith("en-"):
        return 0
    return 1 if label.language is None else 2


class Labels:
    """The best label seen so far for each IRI."""

    def __init__(self) -> None:
        self._best: dict[str, Literal] = {}

    def offer(self, term: Term | None, label: object) -> None:
        """Keep ``label`` for ``term`` if it is a literal better than the one kept."""
        if term is None or not isinstance(label, Literal):
            return
        kept = self._best.get(term.value)
        if kept is None or (label_rank(label), label.value) < (label_rank(kept), kept.value):
            self._best[term.value] = label

    def get(self, iri: str) -> str | None:
        """The label of ``iri`` as text, or ``None`` when it has none."""
        kept = self._best.get(iri)
        return kept.value if kept is not None else None

    def literal(self, iri: str) -> Literal | None:
        """The label of ``iri`` as the literal the graph holds."""
        return self._best.get(iri)

    def __contains__(self, iri: object) -> bool:
        return iri in self._best

    def as_dict(self) -> dict[str, str]:
        return {iri: label.value for iri, label in self._best.items()}
