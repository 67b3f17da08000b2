"""Stores: the embedded pyoxigraph store and remote SPARQL 1.1 stores, behind one interface."""

from cybergov.store.base import QueryAnswer, Solutions, Store, Term, Triples
from cybergov.store.embedded import EmbeddedStore

__all__ = ["EmbeddedStore", "QueryAnswer", "Solutions", "Store", "Term", "Triples"]
