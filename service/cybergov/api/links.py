"""Where an IRI is shown on this service, and which links are safe to put in a page.

Public cybergov IRIs map to paths of this service (``.../id/state/FR`` to
``/id/state/FR``, ``.../ontology#Incident`` to ``/ontology#Incident``); other
IRIs become links only when they are ``http`` or ``https`` URLs, so that a
contributed ``javascript:`` or ``data:`` IRI is shown as text, never followed.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from cybergov.namespaces import BASE

#: Characters kept as they are in a path made from an IRI (``?`` and ``#`` are escaped).
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_FRAGMENT_SAFE = _PATH_SAFE + "?"


def service_path(iri: str) -> str | None:
    """The path on this service that serves ``iri``, or ``None`` when it serves it nowhere."""
    if not iri.startswith(BASE):
        return None
    rest = iri[len(BASE) :]
    head, hash_mark, fragment = rest.partition("#")
    anchor = f"#{quote(fragment, safe=_FRAGMENT_SAFE)}" if hash_mark else ""
    if head.startswith(("id/", "graph/")) and len(head.split("/", 1)[1]) > 0 and not hash_mark:
        return "/" + quote(head, safe=_PATH_SAFE)
    if head in ("ontology", "shapes", "void"):
        return f"/{head}{anchor}"
    if head.startswith("ontology/"):
        module = head.split("/", 1)[1]
        if module and "/" not in module and not module[0].isdigit():
            return "/" + quote(head, safe=_PATH_SAFE) + anchor
    return None


def external_href(iri: str) -> str | None:
    """``iri`` itself when it is a web address a browser may follow, else ``None``."""
    try:
        parts = urlsplit(iri)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return iri
    return None


def href(iri: str, root_path: str = "") -> str | None:
    """The link for ``iri`` in a page of this service (mounted at ``root_path``)."""
    local = service_path(iri)
    if local is not None:
        return f"{root_path}{local}"
    return external_href(iri)


def view_href(view: str, iri: str, root_path: str = "") -> str | None:
    """The link to a view of a resource of the graph (``timeline``, ``network``):
    ``/timeline/incident/notpetya-2017`` for ``.../id/incident/notpetya-2017``."""
    local = service_path(iri)
    if local is None or not local.startswith("/id/"):
        return None
    return f"{root_path}/{view}/{local[len('/id/') :]}"
