"""Deterministic STIX identifiers: the same resource gets the same identifier in every export.

A STIX identifier is ``<type>--<UUID>``; ours are UUIDv5 in one fixed namespace, of the
resource's IRI (``identity--uuid5(NS, "https://w3id.org/cybergov/id/state/RU")``). A
relationship made from a record is named by the record's IRI and the IRIs it joins, so a
re-export updates the objects a partner holds instead of adding new ones.
"""

from __future__ import annotations

import hashlib
import uuid
from functools import lru_cache

#: The namespace of every cybergov STIX identifier, ``uuid5(NAMESPACE_URL,
#: "https://w3id.org/cybergov/stix")`` (never change it: every identifier would change).
STIX_NAMESPACE = uuid.UUID("19bfabb5-f84b-5e4d-9948-dcc508f8b6f8")


_NAMESPACE_BYTES = STIX_NAMESPACE.bytes


@lru_cache(maxsize=65536)
def stix_id(stix_type: str, *names: str) -> str:
    """The STIX identifier of an object of ``stix_type`` named by one or more IRIs (kept:
    most are referred to by other objects too)."""
    return f"{stix_type}--{uuid5(' '.join(names))}"


def relationship_id(*names: str) -> str:
    """``stix_id("relationship", *names)``, not kept: no object refers to a relationship, so
    its identifier is made once (and keeping it would push out the others)."""
    return f"relationship--{uuid5(' '.join(names))}"


def uuid5(name: str) -> str:
    """``str(uuid.uuid5(STIX_NAMESPACE, name))``, written from the SHA-1 digest directly
    (RFC 4122, section 4.3: the version in the 13th digit, the variant in the 17th)."""
    digest = hashlib.sha1(_NAMESPACE_BYTES + name.encode(), usedforsecurity=False).hexdigest()
    variant = _VARIANT[digest[16]]
    return f"{digest[:8]}-{digest[8:12]}-5{digest[13:16]}-{variant}{digest[17:20]}-{digest[20:32]}"


#: The 17th digit of a UUID with the variant's bits (``10``) set, by the digest's digit.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}
