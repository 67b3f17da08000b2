"""The STIX 2.1 export against the raw RDF dump of the same store, at 10k, 100k and 1M triples.

For each size (asserted triples of the synthetic graph of ``synthetic.py``, added to the
bundled ontology and graph with every inference materialised, as ``questions.py`` builds
them), the same embedded store is

- dumped raw: every quad serialised as N-Quads by pyoxigraph into a file (what
  ``/dumps/cybergov.nq`` writes, without its gzip and checksums);
- exported as STIX 2.1: ``export_stix`` (the records read with SPARQL, the objects built with
  the ``stix2`` library) and the bundle written as JSON into a file, each run cold (the
  identifiers and references earlier runs kept are forgotten first).

Each time is the median of the runs; the ratio is STIX over the dump (target: within 3x).

Usage: ``python benchmarks/exchange.py [--sizes 10000 100000 1000000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pyoxigraph import RdfFormat

from cybergov.exchange.stix import export_stix
from cybergov.exchange.stix.common import own_reference, source_reference
from cybergov.exchange.stix.ids import stix_id
from cybergov.store import EmbeddedStore
from questions import build


def cold() -> None:
    """Forget what earlier exports kept (identifiers, references), so each run starts cold."""
    for cached in (own_reference, source_reference, stix_id):
        cached.cache_clear()


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        cold()
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(size: int, repeat: int, folder: Path) -> tuple[int, int, float, float, float, int, int]:
    path = build(size)
    store = EmbeddedStore()
    store.oxigraph.bulk_load(path=str(path), format=RdfFormat.N_QUADS)
    quads = len(store)
    nquads = folder / "dump.nq"
    bundle = folder / "bundle.json"

    def dump() -> None:
        with nquads.open("wb") as output:
            store.oxigraph.dump(output, RdfFormat.N_QUADS)

    objects = 0

    def export_only() -> None:
        nonlocal objects
        objects = len(export_stix(store).objects)

    def stix() -> None:
        bundle.write_text(export_stix(store).json(), encoding="utf-8")

    raw = median_seconds(dump, repeat)
    built = median_seconds(export_only, repeat)
    full = median_seconds(stix, repeat)
    return size, quads, raw, built, full, objects, bundle.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    print(
        "| synthetic triples | quads in store | N-Quads dump (s) | STIX objects built (s) "
        "| STIX bundle written (s) | objects | bundle MB | STIX / dump |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as scratch:
        for size in arguments.sizes:
            _, quads, raw, built, full, objects, nbytes = measure(
                size, arguments.repeat, Path(scratch)
            )
            print(
                f"| {size:,} | {quads:,} | {raw:.2f} | {built:.2f} | {full:.2f} | {objects:,} "
                f"| {nbytes / 1e6:.1f} | {full / raw:.1f}x |",
                flush=True,
            )


if __name__ == "__main__":
    main()
