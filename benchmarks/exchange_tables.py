"""The research tables against the raw RDF dump of the same store.

For stores of about 10k, 100k and 1M triples (the synthetic governance graph of
``synthetic.py`` added to the bundled ontology and graph, with every inference
materialised), it times

* the raw dump: pyoxigraph writing the whole store as N-Quads (``Store.dump``);
* the service's N-Quads dump: the same, gzipped and hashed in the same pass, as
  ``/dumps/cybergov.nq`` writes it;
* the tables: every table read by SPARQL through the query runner (its worker
  processes) and written with their long-form values, the entities, the codebook,
  ``datapackage.json``, the zip and the checksums, as ``cybergov export tables`` does;
* the canonical N-Quads of a release (whose SHA-256 is the release checksum);

each the median of several runs (the raw dump and the tables in turns, after one untimed
run of the tables), and prints a table with the ratio of each to the raw dump (target for
the tables: within 3x).

Usage: ``python benchmarks/exchange_tables.py [--sizes 10000,100000,1000000] [--runs 3]
[--asserted-only]``
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyoxigraph import RdfFormat

from cybergov.cli.exchange import export_settings
from cybergov.exchange.dumps import DUMP_FORMATS, Dumps
from cybergov.exchange.tables import read_tables, write_tables
from cybergov.execution import QueryRunner
from cybergov.knowledge.canonical import canonical_checksum, canonical_nquads
from cybergov.knowledge.load import load, refresh_inferences
from cybergov.settings import Settings
from cybergov.store import EmbeddedStore
from questions import cache_key
from synthetic import generate

HERE = Path(__file__).resolve().parent
CACHE = HERE / "out" / "cache"
NQUADS = next(f for f in DUMP_FORMATS if f.key == "nquads")


def build(size: int, *, infer: bool = True) -> Path:
    """The N-Quads of the bundled graph (with its inferences) plus a synthetic one of ``size``
    triples, inferred too unless ``infer`` is false."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"exchange-{size}-{'' if infer else 'asserted-'}{cache_key(size)}.nq"
    if path.exists():
        return path
    started = time.perf_counter()
    store = EmbeddedStore()
    load(store)
    store.oxigraph.extend(list(generate(size)))
    store.mark_changed()
    if infer:
        refresh_inferences(store, force=True)
    with path.open("wb") as output:
        store.oxigraph.dump(output, RdfFormat.N_QUADS)
    print(f"  built {size:,}: {len(store):,} quads in {time.perf_counter() - started:.0f} s")
    return path


def median_seconds(action: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times: list[float] = []
    result: Any = None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def in_turns(first: Callable[[], Any], second: Callable[[], Any], runs: int) -> tuple[float, float]:
    """The median seconds of two actions run in turns, ``runs`` times each."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for spent, action in zip(times, (first, second), strict=True):
            started = time.perf_counter()
            action()
            spent.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def measure(size: int, runs: int, *, infer: bool) -> tuple[int, dict[str, float], dict[str, int]]:
    path = build(size, infer=infer)
    store = EmbeddedStore()
    store.oxigraph.bulk_load(path=str(path), format=RdfFormat.N_QUADS)
    store.mark_changed()
    work = Path(tempfile.mkdtemp(prefix="exchange-bench-"))
    try:

        def raw() -> None:
            with (work / "raw.nq").open("wb") as output:
                store.oxigraph.dump(output, RdfFormat.N_QUADS)

        def service_dump() -> None:
            shutil.rmtree(work / "dumps", ignore_errors=True)
            Dumps(store, work / "dumps").get(NQUADS)

        def canonical() -> str:
            return canonical_checksum(
                canonical_nquads(store.oxigraph.quads_for_pattern(None, None, None, None))
            )

        settings = export_settings(Settings(query_workers=2, answer_cache_bytes=0))
        started = time.perf_counter()
        with QueryRunner(store, settings=settings) as runner:
            runner_start = time.perf_counter() - started

            def tables() -> Any:
                shutil.rmtree(work / "tables", ignore_errors=True)
                read = read_tables(runner, version="bench")
                write_tables(read, work / "tables")
                return read

            read = tables()  # untimed: a service's runner has answered queries before
            # the raw dump and the tables in turns, so that a shared machine's load weighs
            # on both alike
            dumped, tabled = in_turns(raw, tables, runs)
            seconds = {"raw N-Quads dump": dumped}
            seconds["service N-Quads dump (+gzip)"] = median_seconds(service_dump, runs)[0]
            seconds["research tables"] = tabled
            seconds["canonical N-Quads"] = median_seconds(canonical, runs)[0]
            seconds["(query runner start)"] = runner_start
        rows = {t.spec.name: len(t.rows) for t in read.tables}
        return len(store), seconds, rows
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--asserted-only",
        action="store_true",
        help="Do not materialise the inferences of the synthetic triples (faster to build; "
        "records typed only by a subclass, as most synthetic responses, are then not read).",
    )
    options = parser.parse_args()
    for size in (int(s) for s in options.sizes.split(",")):
        inferred = "asserted only" if options.asserted_only else "with their inferences"
        quads, seconds, rows = measure(size, options.runs, infer=not options.asserted_only)
        base = seconds["raw N-Quads dump"]
        print(
            f"\n### {size:,} synthetic triples, {inferred} ({quads:,} quads with the bundled "
            "graph and its inferences)\n"
        )
        print("| what | seconds (median) | ratio to the raw dump |")
        print("|---|---:|---:|")
        for name, value in seconds.items():
            print(f"| {name} | {value:.3f} | {value / base:.2f}x |")
        print("\nrows: " + ", ".join(f"{name} {count:,}" for name, count in rows.items()))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
