"""Screening SPARQL text from users before it reaches an engine.

The engines cannot be trusted with arbitrary text: pyoxigraph 0.5 overflows
its stack (a segmentation fault that ends the process) on a query nested a few
thousand levels deep or on a chain of a few thousand ``UNION`` or ``||``
operands, and both pyoxigraph and rdflib send ``SERVICE`` requests and fetch
``LOAD`` sources. So every query first goes through :func:`screen`, which
reads it with a lexer of SPARQL's terminals (strings, IRIs, comments,
prefixed names and variables are whole tokens, so a keyword hidden inside one
of them is never mistaken for the keyword) and refuses:

- text longer than ``max_bytes`` (UTF-8);
- nesting of groups, brackets and unary operators deeper than ``max_depth``;
- chains of binary operators (``UNION``, ``OPTIONAL``, ``MINUS``, ``||``,
  ``&&``, comparisons, arithmetic, path ``/`` and ``|``) whose operands add up,
  along any path of the syntax tree, to more than ``max_chain``: the engine
  builds them as left-deep trees and recurses through them;
- updates (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``...): the read path answers
  queries only;
- ``SERVICE``: the read path never calls another endpoint.

Dataset IRIs (``FROM`` and ``FROM NAMED``) are returned resolved against the
query's ``BASE`` and prefixes, so that the caller can allow exactly the graphs
its store holds (see :func:`refuse_unknown_graphs`); nothing is ever fetched.

SPARQL's escape sequences (``\\u0041``) are only decoded inside strings and
IRIs by the engine (measured on pyoxigraph 0.5.13: a keyword written with an
escape outside a string is a syntax error), which is what the lexer assumes.
The lexer does not check the full grammar: the engine parses the query and
reports syntax errors with their line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from cybergov.errors import QueryRefused
from cybergov.settings import Settings
from cybergov.sparql.lexer import FORMS, Token, position, tokens

_OPEN = {"{": "}", "(": ")", "[": "]", "<<": ">>"}
_CLOSE = frozenset(_OPEN.values())
_UNARY = frozenset({"!", "^"})
_CHAIN_PUNCT = frozenset({"||", "&&", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "|"})
_CHAIN_KEYWORDS = frozenset({"UNION", "OPTIONAL", "MINUS"})
_UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "COPY", "MOVE", "ADD", "WITH"}
)


@dataclass(frozen=True, slots=True)
class QueryLimits:
    """The bounds a query must stay within (from :class:`cybergov.settings.Settings`)."""

    max_bytes: int = 100_000
    max_depth: int = 64
    max_chain: int = 2_000

    @classmethod
    def from_settings(cls, settings: Settings) -> QueryLimits:
        return cls(settings.max_query_bytes, settings.max_query_depth, settings.max_query_chain)


@dataclass(frozen=True, slots=True)
class ScreenedQuery:
    """What screening learnt of a query that passed it."""

    form: str
    """``SELECT``, ``CONSTRUCT``, ``DESCRIBE`` or ``ASK``."""
    default_graphs: tuple[str, ...]
    """The IRIs of its ``FROM`` clauses, resolved."""
    named_graphs: tuple[str, ...]
    """The IRIs of its ``FROM NAMED`` clauses, resolved."""
    depth: int
    chain: int


def _measure(text: str, items: list[Token], limits: QueryLimits) -> tuple[int, int]:
    """The deepest nesting and the longest chain of operands; refuse past the limits."""
    stack: list[int] = []  # per open bracket: operators chained at its level
    top_chain = 0
    chain_total = 0
    unary_run = 0
    depth = chain = 0
    for token in items:
        value = token.text
        if token.kind == "punct" and value in _OPEN:
            stack.append(0)
        elif token.kind == "punct" and value in _CLOSE:
            if stack:
                chain_total -= stack.pop()
        elif (token.kind == "punct" and value in _CHAIN_PUNCT) or (
            token.kind == "name" and value.upper() in _CHAIN_KEYWORDS
        ):
            if stack:
                stack[-1] += 1
            else:
                top_chain += 1
            chain_total += 1
        unary_run = unary_run + 1 if token.kind == "punct" and value in _UNARY else 0
        level = len(stack) + unary_run
        if level > depth:
            depth = level
            if depth > limits.max_depth:
                raise QueryRefused(
                    f"the query nests deeper than {limits.max_depth} levels (groups, brackets "
                    f"and unary operators) at {position(text, token.offset)}; write it flatter"
                )
        if chain_total + top_chain > chain:
            chain = chain_total + top_chain
            if chain > limits.max_chain:
                raise QueryRefused(
                    f"the query chains more than {limits.max_chain} operands (UNION, OPTIONAL, "
                    f"MINUS or operators) at {position(text, token.offset)}; split it or use VALUES"
                )
    return depth, chain


def _resolve(token: Token, prefixes: dict[str, str], base: str | None) -> str | None:
    if token.kind == "iri":
        iri = token.text[1:-1]
        return urljoin(base, iri) if base else iri
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        namespace = prefixes.get(prefix)
        return None if namespace is None else namespace + re.sub(r"\\(.)", r"\1", local)
    return None


def _form_and_dataset(
    text: str, items: list[Token]
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    prefixes: dict[str, str] = {}
    base: str | None = None
    form: str | None = None
    default_graphs: list[str] = []
    named_graphs: list[str] = []
    for index, token in enumerate(items):
        if token.kind != "name":
            continue
        word = token.text.upper()
        following = items[index + 1 : index + 4]
        if word == "SERVICE":
            raise QueryRefused(
                f"SERVICE at {position(text, token.offset)} is refused: queries here never "
                "call other endpoints"
            )
        if word in _UPDATE_KEYWORDS:
            raise QueryRefused(
                f"{word} at {position(text, token.offset)} is an update; only queries "
                "(SELECT, ASK, CONSTRUCT, DESCRIBE) are answered here"
            )
        if form is None and word == "PREFIX" and len(following) >= 2:
            prefixes[following[0].text[:-1]] = _resolve(following[1], {}, base) or ""
        elif form is None and word == "BASE" and following:
            base = _resolve(following[0], {}, base)
        elif form is None and word in FORMS:
            form = word
        elif form is None:
            break
        elif word == "FROM" and following:
            named = following[0].kind == "name" and following[0].text.upper() == "NAMED"
            target = following[1] if named and len(following) > 1 else following[0]
            iri = _resolve(target, prefixes, base)
            if iri is None:
                raise QueryRefused(
                    f"FROM at {position(text, token.offset)} does not name a graph by its IRI"
                )
            (named_graphs if named else default_graphs).append(iri)
    if form is None:
        raise QueryRefused(
            "the text is not a SPARQL query: after its PREFIX and BASE declarations it must "
            "start with SELECT, CONSTRUCT, DESCRIBE or ASK"
        )
    return form, tuple(default_graphs), tuple(named_graphs)


@lru_cache(maxsize=512)
def screen(text: str, limits: QueryLimits = QueryLimits()) -> ScreenedQuery:
    """Check a SPARQL query from outside and say what it is.

    Results are cached by text, so that the questions of the catalogue, asked
    again and again, are read once.

    Raises:
        QueryRefused: the query is too long, too deep, chains too many
            operands, is an update, or calls SERVICE.
    """
    size = len(text.encode("utf-8"))
    if size > limits.max_bytes:
        raise QueryRefused(
            f"the query is {size:,} bytes long; the limit is {limits.max_bytes:,} bytes"
        )
    items = list(tokens(text))
    depth, chain = _measure(text, items, limits)
    form, default_graphs, named_graphs = _form_and_dataset(text, items)
    return ScreenedQuery(form, default_graphs, named_graphs, depth, chain)


def refuse_unknown_graphs(query: ScreenedQuery, held: Iterable[str]) -> None:
    """Refuse dataset IRIs (``FROM``, ``FROM NAMED``) that are not graphs of the store.

    A dataset IRI is only ever looked up among the named graphs the store
    holds; an engine that would fetch it from the Web never gets the chance.

    Raises:
        QueryRefused: a ``FROM`` or ``FROM NAMED`` IRI is not a graph of the store.
    """
    wanted = set(query.default_graphs) | set(query.named_graphs)
    if not wanted:
        return
    missing = sorted(wanted - set(held))
    if missing:
        listed = ", ".join(f"<{iri}>" for iri in missing[:5])
        raise QueryRefused(
            f"FROM names {listed}, which the store does not hold; FROM and FROM NAMED may "
            "only name the store's own graphs (nothing is fetched)"
        )
