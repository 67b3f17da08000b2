"""SPARQL text: a lexer of its terminals, the form of a query, and VALUES blocks built from terms.

The lexer reads strings, IRIs, comments, prefixed names and variables as
whole tokens (with the terminals of the SPARQL 1.1 grammar), so that code
looking for a keyword or a brace never finds one inside a string or an IRI.
It does not check the grammar: the engine does.

:func:`bind_values` is how a store that cannot bind variables itself (a
remote SPARQL server) receives parameters: each term is serialised by
pyoxigraph, which escapes it, into a ``VALUES`` block placed first in the
query's outermost group, where it binds the variables before the rest of the
group is evaluated. Text is never pasted in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode

from cybergov.errors import QueryParameterError, QuerySyntaxError, line_and_column

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\r\n]*)
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<long1>'''(?:(?:'|'')?(?:[^'\\]|\\.))*''')
    | (?P<long2>\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\")
    | (?P<string1>'(?:[^'\\\n\r]|\\.)*')
    | (?P<string2>"(?:[^"\\\n\r]|\\.)*")
    | (?P<var>[?$][^\W][\w\u00B7\u0300-\u036F\u203F-\u2040]*)
    | (?P<bnode>_:[\w](?:[\w.\-]*[\w\-])?)
    | (?P<pname>(?:[^\W\d_](?:[\w.\-]*[\w\-])?)?:
                (?:(?:[\w:%\-]|\\.)(?:(?:[\w.:%\-]|\\.)*(?:[\w:%\-]|\\.))?)?)
    | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<punct>\^\^|\|\||&&|!=|<=|>=|<<|>>|[{}()\[\];,.*/+\-!=<>|^?])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

FORMS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
_OPENING = frozenset({"{", "(", "[", "<<"})
_CLOSING = frozenset({"}", ")", "]", ">>"})


@dataclass(frozen=True, slots=True)
class Token:
    """One significant token: its kind (a group name of the lexer), its text and offset."""

    kind: str
    text: str
    offset: int

    def is_keyword(self, word: str) -> bool:
        return self.kind == "name" and self.text.upper() == word


def tokens(text: str) -> Iterator[Token]:
    """The significant tokens of a SPARQL text (whitespace and comments left out)."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            yield Token(kind, match.group(), match.start())


def position(text: str, offset: int) -> str:
    """``line L, column C`` of an offset, counted from 1, for messages."""
    line, column = line_and_column(text, offset)
    return f"line {line}, column {column}"


def query_form(text: str) -> str | None:
    """``SELECT``, ``CONSTRUCT``, ``DESCRIBE`` or ``ASK``; ``None`` when the text is no query."""
    for token in tokens(text):
        if token.kind == "name" and token.text.upper() in FORMS:
            return token.text.upper()
        if token.kind == "name" and token.text.upper() not in ("PREFIX", "BASE"):
            return None
    return None


def top_level(text: str) -> Iterator[tuple[int, Token]]:
    """Each token with the depth of brackets it stands at (0 outside any bracket)."""
    depth = 0
    for token in tokens(text):
        if token.kind == "punct" and token.text in _CLOSING:
            depth = max(depth - 1, 0)
        yield depth, token
        if token.kind == "punct" and token.text in _OPENING:
            depth += 1


def where_group(text: str) -> int:
    """The offset just inside the opening brace of the query's WHERE clause.

    Raises:
        QuerySyntaxError: the text has no WHERE group at its top level.
    """
    form = query_form(text)
    seen_where = form != "CONSTRUCT"
    started = False
    for depth, token in top_level(text):
        if token.kind == "name" and token.text.upper() in FORMS:
            started = True
        elif started and depth == 0 and token.is_keyword("WHERE"):
            seen_where = True
        elif started and seen_where and depth == 0 and token.text == "{":
            return token.offset + 1
    raise QuerySyntaxError("the query has no WHERE group to bind parameters in")


def term_text(term: object, *, name: str) -> str:
    """The SPARQL syntax of a term, escaped by pyoxigraph's serialiser.

    Raises:
        QueryParameterError: the term is a blank node, which VALUES cannot carry.
    """
    if isinstance(term, BlankNode):
        raise QueryParameterError(f"parameter {name!r}: a blank node cannot be bound in VALUES")
    if not isinstance(term, NamedNode | Literal):
        raise QueryParameterError(f"parameter {name!r}: {term!r} is not an IRI or a literal")
    return str(term)


def values_block(substitutions: Mapping[str, NamedNode | Literal | BlankNode]) -> str:
    """``VALUES ?a { <x> } VALUES ?b { "y" }`` binding each variable to its term.

    One block per variable, which means the same as one block of one row:
    Virtuoso 7.2 fails to compile some queries given a block of several variables.
    """
    names = sorted(substitutions)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryParameterError(f"{name!r} is not a variable name")
    return " ".join(
        f"VALUES ?{name} {{ {term_text(substitutions[name], name=name)} }}" for name in names
    )


def subquery_groups(text: str) -> list[tuple[int, int]]:
    """The WHERE groups of the subqueries: for each, the offset just inside its opening
    brace and the offset of its closing brace."""
    found: list[tuple[int, int]] = []
    selects: list[int] = []  # the depths of subqueries whose WHERE group is not open yet
    open_groups: list[tuple[int, int]] = []  # (depth inside the group, offset after "{")
    for depth, token in top_level(text):
        if token.is_keyword("SELECT") and depth > 0:
            selects.append(depth)
        elif token.kind == "punct" and token.text == "{" and selects and depth == selects[-1]:
            selects.pop()
            open_groups.append((depth + 1, token.offset + 1))
        elif token.kind == "punct" and token.text == "}" and open_groups:
            inside, start = open_groups[-1]
            if depth == inside - 1:
                open_groups.pop()
                found.append((start, token.offset))
    return found


def uses_variable(text: str, name: str) -> bool:
    """Whether ``?name`` or ``$name`` occurs in the text as a variable."""
    return any(t.kind == "var" and t.text[1:] == name for t in tokens(text))


def bind_values(text: str, substitutions: Mapping[str, NamedNode | Literal | BlankNode]) -> str:
    """The query with a VALUES block first in its WHERE group, and first in the WHERE group
    of every subquery that uses one of the variables (unchanged without substitutions).

    A subquery is evaluated before it is joined with the group around it, so a binding of
    the outer group alone would not reach the filters and lists inside it: a parameter
    means its value everywhere in the query.

    Raises:
        QuerySyntaxError: the query has no WHERE group.
        QueryParameterError: a term cannot be written in VALUES.
    """
    if not substitutions:
        return text
    inserts = [(where_group(text), values_block(substitutions))]
    for start, end in subquery_groups(text):
        group = text[start:end]
        used = {name: term for name, term in substitutions.items() if uses_variable(group, name)}
        if used:
            inserts.append((start, values_block(used)))
    for offset, block in sorted(inserts, reverse=True):
        text = f"{text[:offset]} {block}\n{text[offset:]}"
    return text


def undeclared_prefixes(text: str) -> list[str]:
    """The prefixes the query's prefixed names use without a ``PREFIX`` declaration, in
    order of first use."""
    declared: set[str] = set()
    used: list[str] = []
    previous: Token | None = None
    for token in tokens(text):
        if token.kind == "pname":
            prefix = token.text.split(":", 1)[0]
            if previous is not None and previous.is_keyword("PREFIX"):
                declared.add(prefix)
            elif prefix not in used:
                used.append(prefix)
        previous = token
    return [prefix for prefix in used if prefix not in declared]


def declare_prefixes(text: str, known: Mapping[str, str]) -> str:
    """The query with a ``PREFIX`` declaration, first, for each prefix of ``known`` that it
    uses without declaring (its other prefixes are left for the engine to report)."""
    missing = [p for p in undeclared_prefixes(text) if p in known]
    if not missing:
        return text
    lines = "".join(f"PREFIX {p}: <{known[p]}>\n" for p in missing)
    return lines + text
