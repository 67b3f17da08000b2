"""JSON-LD contexts without the network: the bundled cybergov context, and nothing remote.

A JSON-LD document may name its context by IRI (``"@context": "https://..."``)
or import one (``"@import"``); rdflib would fetch such a context (or read a
``file:`` one) while parsing. cybergov never does: a context must be written
inline, or be one of the contexts bundled here, which replace their IRI
before the document reaches the parser.
"""

from __future__ import annotations

from typing import Any

from cybergov.errors import ExternalReferenceRefused
from cybergov.namespaces import BASE, PREFIXES

#: The IRI under which the cybergov context is published.
CONTEXT_IRI = f"{BASE}context.jsonld"


def cybergov_context() -> dict[str, Any]:
    """The cybergov JSON-LD context (a new dict each time): every prefix of the project, so
    that ``cg:startDate`` and ``state:RU`` can be written as they are in Turtle."""
    return dict(sorted(PREFIXES.items()))


def bundled_contexts() -> dict[str, dict[str, Any]]:
    """The contexts a contribution may name by IRI, by that IRI (with and without ``.jsonld``)."""
    context = cybergov_context()
    return {CONTEXT_IRI: context, CONTEXT_IRI.removesuffix(".jsonld"): context}


def _refuse(reference: object, *, source: str, what: str) -> ExternalReferenceRefused:
    bundled = ", ".join(f"<{iri}>" for iri in sorted(bundled_contexts()))
    return ExternalReferenceRefused(
        f"the JSON-LD {what} {reference!r} is not inline and not bundled; cybergov never fetches "
        f"contexts: write the context inline in the document, or use one of {bundled}",
        source=source,
    )


def _resolve_context(value: Any, *, source: str) -> tuple[Any, bool]:
    """A context value with bundled references replaced; refuses any other reference."""
    bundled = bundled_contexts()
    if isinstance(value, str):
        if value in bundled:
            return bundled[value], True
        raise _refuse(value, source=source, what="context")
    if isinstance(value, list):
        resolved = [_resolve_context(item, source=source) for item in value]
        return [item for item, _ in resolved], any(changed for _, changed in resolved)
    if isinstance(value, dict):
        changed = False
        result = dict(value)
        if "@import" in result:
            imported = result.pop("@import")
            if not isinstance(imported, str) or imported not in bundled:
                raise _refuse(imported, source=source, what="@import")
            result = {**bundled[imported], **result}
            changed = True
        walked, inner = _walk(result, source=source)
        return walked, changed or inner
    return value, False


def _walk(node: Any, *, source: str) -> tuple[Any, bool]:
    """A JSON value with every ``@context`` in it resolved (scoped contexts included)."""
    if isinstance(node, list):
        items = [_walk(item, source=source) for item in node]
        return [item for item, _ in items], any(changed for _, changed in items)
    if not isinstance(node, dict):
        return node, False
    changed = False
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == "@context":
            result[key], inner = _resolve_context(value, source=source)
        else:
            result[key], inner = _walk(value, source=source)
        changed = changed or inner
    return result, changed


def resolve_contexts(document: Any, *, source: str) -> tuple[Any, bool]:
    """The document with bundled context references replaced by the contexts themselves.

    Returns the document and whether anything was replaced. The document's
    nesting must already be bounded (see :mod:`cybergov.contribute.screening`): the walk
    recurses once per level.

    Raises:
        ExternalReferenceRefused: a ``@context`` or ``@import`` names a context that is
            neither inline nor bundled.
    """
    return _walk(document, source=source)
