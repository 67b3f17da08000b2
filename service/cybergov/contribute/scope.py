"""What a contribution may describe: the resources of the graph's own namespace.

A contribution adds facts about resources whose IRIs start with
``https://w3id.org/cybergov/id/`` (:data:`cybergov.namespaces.CGR`); it may point at
any IRI (a source's URL, a Wikidata item), but it may not state facts about IRIs of
others (``<urn:a> <urn:p> "x"``, ``<mailto:someone@example.org>``, a JSON-LD
``"@id": "incident:x"`` written without a context, which is the IRI of the scheme
``incident:``).

The links of the ontology (its object properties) must point at resources of the graph or
of the vocabularies it uses, all named by ``http``, ``https`` or ``urn`` IRIs; a link to
an IRI of another scheme (``mailto:``, ``tag:``, ``did:``) can never reach a known
resource. pySHACL reads a focus node of such a scheme as a prefixed name and fails on it
(0.30 to 0.40), so these are refused here, with the statement at fault, before the
shapes run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pyoxigraph import NamedNode

from cybergov.contribute.compiled_shapes import Statement, Term
from cybergov.errors import OutsideNamespace
from cybergov.namespaces import CG, CGR, graph_iri

#: The schemes of the IRIs a link may point at.
_LINK_SCHEME = re.compile(r"(?i)(?:https?|urn):")
CURATED_GRAPHS = graph_iri("kg", "")
_HEADER = frozenset({"http://purl.org/dc/terms/modified", f"{CG}lastChecked"})


def _file_header(subject: str, predicate: str) -> bool:
    """Whether the statement is a curated file's header: when its graph last changed and was
    last checked against its sources (kg/README.md), the only statements about a graph of
    ``graph/kg/`` that a file of the graph, validated as a contribution, makes."""
    return subject.startswith(CURATED_GRAPHS) and predicate in _HEADER


def check_scope(statements: Iterable[Statement], links: frozenset[str], *, source: str) -> None:
    """Refuse a contribution that describes a resource outside the graph's namespace, or
    links to an IRI that no resource of the graph can have (``links``: the IRIs of the
    ontology's object properties).

    Raises:
        OutsideNamespace: naming the first such subject (or link), in IRI order, with a
            property it is stated with.
    """
    outside: dict[str, str] = {}
    dangling: dict[str, tuple[str, str | None]] = {}
    # Each subject and each link's value judged once: a resource has many statements.
    inside: set[Term] = set()
    reachable: set[Term] = set()
    linking = {NamedNode(link) for link in links}
    for about, predicate, value in statements:
        if about not in inside:
            if not isinstance(about, NamedNode) or about.value.startswith(CGR):
                inside.add(about)
            elif not _file_header(about.value, predicate.value):
                outside.setdefault(about.value, predicate.value)
        if predicate in linking and isinstance(value, NamedNode) and value not in reachable:
            if _LINK_SCHEME.match(value.value):
                reachable.add(value)
            else:
                named = about.value if isinstance(about, NamedNode) else None
                dangling.setdefault(value.value, (predicate.value, named))
    if outside:
        first = min(outside)
        others = len(outside) - 1
        more = f" (and {others} other subject{'s' if others != 1 else ''})" if others else ""
        raise OutsideNamespace(
            f"the contribution describes <{first}> (with <{outside[first]}>){more}, which is "
            f"not a resource of this graph: a contribution may only describe resources whose "
            f"IRI starts with {CGR} (it may point at any IRI as the value of a property)",
            source=source,
        )
    if dangling:
        first = min(dangling)
        link, subject = dangling[first]
        where = f"<{subject}>" if subject is not None else "a blank node"
        raise OutsideNamespace(
            f"{where} points at <{first}> with <{link}>, which links resources of the "
            "graph: no resource of the graph has an IRI of that scheme (they are http, https "
            "or urn IRIs)",
            source=source,
        )


__all__ = ["check_scope"]
