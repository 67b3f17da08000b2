"""Reasoning: the ontology proved consistent with owlready2's HermiT, and the
inference rules materialised into the store.

Only :mod:`cybergov.reason.consistency` imports owlready2.
"""

from cybergov.reason.rules import Rule, materialise, read_rules

__all__ = ["Rule", "materialise", "read_rules"]
