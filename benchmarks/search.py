"""The search index against the raw engine, at 10,000 and 100,000 resources.

A synthetic corpus of resources (incidents, groups with vendor aliases, actors,
instruments with CELEX-like numbers, norms...) is written as RDF into an embedded store,
with names drawn from a vocabulary of invented words, so that words are shared the way
names and descriptions share them. The index is built from the store
(:class:`cybergov.explore.search.SearchIndex`), then each kind of query is timed:

- ``cybergov index``: ``SearchIndex.search`` (ranked, with facets, 20 hits);
- ``raw engine``: the same words found by pyoxigraph with ``CONTAINS`` over labels,
  alternative labels, alias names and identifiers (what ``find-actor`` does), unranked:
  the search a store offers without an index.

Also: the time to build the index, and to bring it up to date after a write of one
resource (the next search pays it). Each time is the median of the runs.

Usage: ``python benchmarks/search.py [--sizes 10000 100000] [--repeat 30]``
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, serialize

from cybergov.explore.search import SearchIndex
from cybergov.store.factory import memory_store

CG = "https://w3id.org/cybergov/ontology#"
ID = "https://w3id.org/cybergov/id/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
GRAPH = NamedNode("https://w3id.org/cybergov/graph/kg/synthetic-search")
KINDS = (
    ("incident", "Incident"),
    ("group", "ThreatActorGroup"),
    ("state", "State"),
    ("organ", "IntelligenceService"),
    ("act", "Regulation"),
    ("norm", "Norm"),
    ("listing", "Listing"),
)
SYLLABLES = [
    "ka", "lo", "mi", "ran", "tes", "vo", "zu", "bel", "dor", "fen", "gri", "hal", "jun",
    "kor", "lum", "nar", "pol", "quin", "ros", "sul", "tam", "ul", "ver", "wis", "yel",
]  # fmt: skip
RAW_QUERY = f"""
SELECT DISTINCT ?s ?text WHERE {{
  {{ ?s <{RDFS}label> ?name }} UNION {{ ?s <{SKOS}altLabel> ?name }}
  UNION {{ ?s <{CG}hasAlias>/<{CG}aliasName> ?name }} UNION {{ ?s <{CG}celexNumber> ?name }}
  FILTER(CONTAINS(LCASE(STR(?name)), LCASE(?text)))
}} LIMIT 20
"""


def words(rng: random.Random, count: int) -> list[str]:
    made = set()
    while len(made) < count:
        made.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(made)


def corpus(size: int, *, seed: int = 3) -> Iterator[Quad]:
    """About ``size`` resources with labels, aliases, identifiers and descriptions."""
    rng = random.Random(seed)
    vocabulary = words(rng, max(2_000, size // 5))

    def phrase(n: int) -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(n)).capitalize()

    def quad(s: NamedNode, p: str, o: NamedNode | Literal) -> Quad:
        return Quad(s, NamedNode(p), o, GRAPH)

    for i in range(size):
        family, cls = KINDS[i % len(KINDS)]
        node = NamedNode(f"{ID}{family}/synthetic-{i}")
        yield Quad(node, RDF_TYPE, NamedNode(CG + cls), GRAPH)
        yield quad(node, f"{RDFS}label", Literal(phrase(rng.randint(1, 4)), language="en"))
        yield quad(node, f"{DCT}description", Literal(phrase(rng.randint(8, 25)), language="en"))
        if rng.random() < 0.3:
            yield quad(node, f"{SKOS}altLabel", Literal(phrase(2), language="en"))
        if family == "group":
            for vendor in range(3):
                alias = NamedNode(f"{ID}alias/synthetic-{i}--{vendor}")
                yield quad(node, f"{CG}hasAlias", alias)
                yield Quad(alias, RDF_TYPE, NamedNode(f"{CG}GroupAlias"), GRAPH)
                yield quad(
                    alias,
                    f"{CG}aliasName",
                    Literal(f"{phrase(1)} {rng.choice(['Bear', 'Panda', 'Typhoon', 'Blizzard'])}"),
                )
            yield quad(node, f"{CG}mitreAttackId", Literal(f"G{i:05d}"))
        if family == "act":
            yield quad(node, f"{CG}celexNumber", Literal(f"3{2000 + i % 25}R{i:05d}"))


def build(size: int) -> tuple[object, SearchIndex, list[tuple[str, str]], float]:
    store = memory_store()
    store.oxigraph.bulk_load(serialize(corpus(size), format=RdfFormat.N_QUADS), RdfFormat.N_QUADS)
    store.mark_changed()
    index = SearchIndex(store)
    started = time.perf_counter()
    index.build()
    built = time.perf_counter() - started
    rng = random.Random(5)
    labels = [
        (row[0].value, row[1].value)
        for row in store.select(f"SELECT ?s ?l WHERE {{ ?s <{RDFS}label> ?l }} LIMIT 5000").rows
    ]
    aliases = [
        row[0].value
        for row in store.select(f"SELECT ?n WHERE {{ ?a <{CG}aliasName> ?n }} LIMIT 2000").rows
    ]
    celex = [
        row[0].value
        for row in store.select(f"SELECT ?n WHERE {{ ?a <{CG}celexNumber> ?n }} LIMIT 2000").rows
    ]
    queries: list[tuple[str, str]] = []
    for _ in range(40):
        label = rng.choice(labels)[1]
        word = rng.choice(label.lower().split())
        typo = word[:2] + word[3] + word[2] + word[4:] if len(word) > 5 else word + "x"
        queries += [
            ("full name", label),
            ("vendor alias", rng.choice(aliases)),
            ("CELEX number", rng.choice(celex)),
            ("one word", word),
            ("as you type (3 letters)", word[:3]),
            ("misspelt word", typo),
        ]
    return store, index, queries, built


def median_ms(call: Callable[[str], object], texts: list[str], repeat: int) -> float:
    for text in texts[:5]:
        call(text)
    times = []
    for _ in range(repeat):
        for text in texts:
            started = time.perf_counter()
            call(text)
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def run(size: int, repeat: int) -> list[str]:
    store, index, queries, built = build(size)
    lines = [
        f"### {size:,} resources ({len(store):,} quads); index built in {built:.2f} s",
        "",
        "| query | cybergov index ms | raw engine ms | raw / index |",
        "|---|---:|---:|---:|",
    ]
    kinds = list(dict.fromkeys(kind for kind, _ in queries))
    for kind in kinds:
        texts = [text for k, text in queries if k == kind]
        ours = median_ms(index.search, texts, repeat)
        raw = median_ms(
            lambda t: store.select(RAW_QUERY, substitutions={"text": Literal(t)}),
            texts[:10],
            max(1, repeat // 10),
        )
        lines.append(f"| {kind} | {ours:.2f} | {raw:.1f} | {raw / ours:,.0f}x |")
    node = NamedNode(f"{ID}group/synthetic-new")
    times = []
    for n in range(10):
        store.update(
            f'INSERT DATA {{ GRAPH <{GRAPH.value}-{n}> {{ {node} <{RDFS}label> "Brand new {n}" }} }}',
            graphs=[f"{GRAPH.value}-{n}"],
        )
        started = time.perf_counter()
        found = index.search(f"Brand new {n}")
        times.append(time.perf_counter() - started)
        assert found.hits and found.hits[0].iri == node.value
    lines.append(
        f"\nA search right after a write of one resource in a graph of its own: "
        f"{statistics.median(times) * 1000:.1f} ms (median of 10), the index brought up to date."
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=20, help="runs of each query")
    options = parser.parse_args()
    print(f"cybergov search benchmark, {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    for size in options.sizes:
        print("\n".join(run(size, options.repeat)))
        print()


if __name__ == "__main__":
    main()
