"""The version of the graph a store holds.

The loader records a SHA-256 checksum of every file it loads, and of
everything the inference rules read, in the metadata graph; a contribution
records its own. The version is a digest of those checksums and of the list
of named graphs, so it changes whenever the data changes and stays the same
across processes and restarts that hold the same data.
"""

from __future__ import annotations

import hashlib

from cybergov.knowledge.load import stored_checksums
from cybergov.store.base import Store


def graph_version(store: Store) -> str:
    """The version of the data in ``store``: 64 hexadecimal digits.

    Raises:
        StoreError: the store failed to answer.
    """
    digest = hashlib.sha256()
    for graph, checksum in sorted(stored_checksums(store).items()):
        digest.update(f"{graph} {checksum}\n".encode())
    digest.update(b"--\n")
    for graph in store.named_graphs():
        digest.update(f"{graph}\n".encode())
    return digest.hexdigest()
