"""Untrusted RDF in: intake and screening, validation in the context of the graph, the
validation report in plain words, contributions with their provenance, and changes
applied to the store in one transaction (staging)."""
