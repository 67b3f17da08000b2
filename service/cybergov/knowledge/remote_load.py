"""Loading the ontology, the graph and the inferences into a remote SPARQL server.

The graph is built in an embedded store first, exactly as ``cybergov load``
builds it (the remote server's contributions are copied in first, so that
the inference rules see them), then each named graph is sent with the Graph
Store Protocol. The server's metadata graph keeps the checksum of every
graph as the loader wrote it, so a second load sends nothing that has not
changed. Each graph is sent before its description in the metadata graph:
a load cut short leaves the old checksum, and the next load sends the graph
again. The inference state is written last, for the same reason.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

from pyoxigraph import Literal as RdfLiteral
from pyoxigraph import NamedNode, RdfFormat, serialize

from cybergov.knowledge.load import (
    INFERENCE_STATE,
    LoadReport,
    load,
    set_graph_metadata,
    stored_checksums,
)
from cybergov.namespaces import (
    CG,
    CONTRIBUTION_GRAPH_PREFIX,
    INFERRED_GRAPH_PREFIX,
    KG_GRAPH_PREFIX,
    META_GRAPH,
    ONTOLOGY_GRAPH_PREFIX,
)
from cybergov.sparql.lexer import term_text
from cybergov.store.base import Store
from cybergov.store.embedded import EmbeddedStore
from cybergov.store.factory import memory_store

log = logging.getLogger(__name__)

_CURATED = (ONTOLOGY_GRAPH_PREFIX, KG_GRAPH_PREFIX)


def _copy_contributions(remote: Store, local: EmbeddedStore) -> str:
    """Copy the server's contributions into the local store; return a digest of them."""
    digest = hashlib.sha256()
    found = False
    for graph in remote.named_graphs():
        if graph.startswith(CONTRIBUTION_GRAPH_PREFIX):
            found = True
            triples = list(remote.graph_triples(graph))
            local.add_triples(graph, triples)
            digest.update(f"{graph}\n".encode())
            for line in sorted(str(triple) for triple in triples):
                digest.update(f"{line}\n".encode())
    return digest.hexdigest() if found else ""


def _iri_text(iri: str) -> str:
    """An IRI in SPARQL syntax, written by pyoxigraph."""
    return term_text(NamedNode(iri), name="iri")


def _metadata_of(local: Store, subject: str) -> str:
    """The statements of the local metadata graph about one subject, as N-Triples."""
    answer = local.select(f"SELECT ?p ?o WHERE {{ GRAPH <{META_GRAPH}> {{ <{subject}> ?p ?o }} }}")
    node = _iri_text(subject)
    return "\n".join(
        f"{node} {term_text(p, name='predicate')} {term_text(o, name='object')} ."
        for p, o in answer.rows
    )


def _send_metadata(remote: Store, local: Store, subject: str) -> None:
    """Replace what the remote metadata graph says of ``subject`` with the local statements."""
    meta = _iri_text(META_GRAPH)
    node = _iri_text(subject)
    statements = _metadata_of(local, subject)
    update = f"DELETE WHERE {{ GRAPH {meta} {{ {node} ?p ?o }} }}"
    if statements:
        update += f" ;\nINSERT DATA {{ GRAPH {meta} {{\n{statements}\n}} }}"
    remote.update(update)


def _send(remote: Store, local: EmbeddedStore, graph: str) -> int:
    data = serialize(local.graph_triples(graph), format=RdfFormat.N_TRIPLES) or b""
    return remote.replace_graph(graph, data, format=RdfFormat.N_TRIPLES, source=f"<{graph}>")


def load_remote(
    remote: Store, *, force: bool = False, root: Path | None = None, infer: bool = True
) -> LoadReport:
    """Bring a remote store up to the bundled ontology, graph and inferences.

    Raises:
        RdfSyntaxError: a file of the graph does not parse.
        StoreUnavailable: the server cannot be reached.
        StoreError: the server refused a request.
    """
    started = time.perf_counter()
    local = memory_store()
    contributions = _copy_contributions(remote, local)
    built = load(local, root=root, infer=infer)
    if infer and contributions:
        # the inferences also depend on the server's contributions: say so in their checksum
        inputs = stored_checksums(local)[INFERENCE_STATE] + contributions
        checksum = hashlib.sha256(inputs.encode()).hexdigest()
        set_graph_metadata(local, INFERENCE_STATE, [(str(CG.sha256), str(RdfLiteral(checksum)))])
    held = stored_checksums(remote)
    wanted = stored_checksums(local)
    report = LoadReport(inference=built.inference)
    curated = [g for g in local.named_graphs() if g.startswith(_CURATED)]
    for graph in curated:
        name = graph.rsplit("/", 2)[-2] + "/" + graph.rsplit("/", 1)[-1]
        if not force and held.get(graph) == wanted.get(graph):
            report.unchanged.append(name)
            continue
        size = _send(remote, local, graph)
        _send_metadata(remote, local, graph)
        log.info("sent %s (%d triples)", graph, size)
        report.loaded.append(name)
    inferred = [g for g in local.named_graphs() if g.startswith(INFERRED_GRAPH_PREFIX)]
    if infer and (force or held.get(INFERENCE_STATE) != wanted.get(INFERENCE_STATE)):
        for graph in inferred:
            _send(remote, local, graph)
            _send_metadata(remote, local, graph)
        for rule in _rules_recorded(local):
            _send_metadata(remote, local, rule)
        _send_metadata(remote, local, INFERENCE_STATE)
    else:
        report.inference = None
    keep = set(curated) | set(inferred)
    for graph in remote.named_graphs():
        stale = graph.startswith(_CURATED) or (infer and graph.startswith(INFERRED_GRAPH_PREFIX))
        if stale and graph not in keep:
            remote.drop_graph(graph)
            _send_metadata(remote, local, graph)  # nothing local: clears its description
            report.removed.append(graph)
    report.quads = len(remote)
    report.seconds = time.perf_counter() - started
    return report


def _rules_recorded(local: Store) -> list[str]:
    answer = local.select(
        f"SELECT DISTINCT ?rule WHERE {{ GRAPH <{META_GRAPH}> {{ "
        "?rule a <https://w3id.org/cybergov/ontology#InferenceRule> } }"
    )
    return [row[0].value for row in answer.rows if row[0] is not None]
