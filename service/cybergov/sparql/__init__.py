"""SPARQL text, before any store sees it: a lexer of its terminals, the screening of
queries from outside, the ``#+`` headers of ``.rq`` files, and the catalogue of questions.

Nothing here runs a query: :mod:`cybergov.store` answers them and
:mod:`cybergov.execution` runs the ones from outside under limits.
"""
