"""The ontology and the curated graph in a store: loading, inference rules, the
reasoner, quality checks, the canonical Turtle form, and the one way to open a
store ready for use (:mod:`cybergov.knowledge.ready`).

Only :mod:`cybergov.knowledge.consistency` imports owlready2.
"""
