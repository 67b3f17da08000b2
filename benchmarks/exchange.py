"""The STIX 2.1 export against the raw RDF dump of the same store, at 10k, 100k and 1M triples.

For each size (asserted triples of the synthetic graph of ``synthetic.py``, added to the
bundled ontology and graph with every inference materialised, as ``questions.py`` builds
them), the same embedded store is

- dumped raw: every quad serialised as N-Quads by pyoxigraph into a file (what
  ``/dumps/cybergov.nq`` writes, without its gzip and checksums);
- exported as STIX 2.1: ``export_stix`` (the records read with SPARQL through a query
  runner with two workers, as ``cybergov export stix`` reads them, its answers in SPARQL
  TSV; each object's JSON text written, the first of each shape checked by the ``stix2``
  library, see ``stix/written.py``) and the bundle written into a file, each
  run cold (the identifiers, references and times earlier runs kept are forgotten first,
  and the runner keeps no answers).

The dump and the export run in turns, ``--repeat`` rounds; each time is the median of its
runs; the ratio is the bundle written over the dump (target: within 3x), in wall-clock and
in processor time of this process (steadier on a loaded machine, but without the query
workers' time), and in processor time of this process and the ones it started, the query
workers and the export's forked child included (read from ``/proc`` in ticks of 10 ms, and
``os.times`` for the child: the work done, whatever the load;
the wall-clock ratio is the one the target is about).
``--asserted-only`` leaves the synthetic triples' inferences out (the store that
``exchange_tables.py`` builds and caches for the same option).

Usage: ``python benchmarks/exchange.py [--sizes 10000 100000 1000000] [--repeat 3]
[--asserted-only]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import RdfFormat

from cybergov.cli.exchange import export_settings
from cybergov.exchange.stix import export_stix
from cybergov.exchange.stix.common import (
    legal_reference,
    local_names,
    source_reference,
)
from cybergov.exchange.stix.ids import stix_id
from cybergov.exchange.stix.records import parse_time
from cybergov.execution import QueryRunner
from cybergov.settings import Settings
from cybergov.store import EmbeddedStore
from exchange_tables import build


def cold() -> None:
    """Forget what earlier exports kept (identifiers, references), so each run starts cold."""
    caches = (source_reference, legal_reference, local_names)
    for cached in (*caches, stix_id, parse_time):
        cached.cache_clear()


def family_processor() -> float:
    """The processor seconds of this process and of every process it started (the query
    workers and their replica's holder), read from ``/proc`` (Linux; 0 elsewhere), and of
    those that ended and were waited for (the export's forked child, ``stix/apart.py``)."""
    children: dict[int, list[int]] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # state, ppid, ..., utime, stime
        children.setdefault(int(fields[1]), []).append(int(entry))
        ticks[int(entry)] = int(fields[11]) + int(fields[12])
    total, todo = 0, [os.getpid()]
    while todo:
        pid = todo.pop()
        total += ticks.get(pid, 0)
        todo += children.get(pid, [])
    if not ticks:
        return 0.0
    ended = os.times()
    return total / os.sysconf("SC_CLK_TCK") + ended.children_user + ended.children_system


def timed(action: Callable[[], object]) -> tuple[float, float, float]:
    """The wall-clock and processor seconds of one cold run: of this process, and of this
    process and those it started."""
    cold()
    family = family_processor()
    wall, processor = time.perf_counter(), time.process_time()
    action()
    wall, processor = time.perf_counter() - wall, time.process_time() - processor
    return wall, processor, family_processor() - family


@dataclass(frozen=True)
class Figures:
    quads: int
    dump: float
    made: float
    bundle: float
    dump_cpu: float
    bundle_cpu: float
    dump_all: float
    bundle_all: float
    objects: int
    nbytes: int


def measure(size: int, repeat: int, folder: Path, *, infer: bool = True) -> Figures:
    """Medians over ``repeat`` rounds, each round the dump then the export (interleaved, so
    that the load of a shared machine weighs on both alike)."""
    path = build(size, infer=infer)
    store = EmbeddedStore()
    store.oxigraph.bulk_load(path=str(path), format=RdfFormat.N_QUADS)
    nquads = folder / "dump.nq"
    bundle = folder / "bundle.json"

    def dump() -> None:
        with nquads.open("wb") as output:
            store.oxigraph.dump(output, RdfFormat.N_QUADS)

    objects = 0
    settings = export_settings(Settings(query_workers=2, answer_cache_bytes=0))
    with QueryRunner(store, settings=settings) as runner:

        def made() -> None:
            nonlocal objects
            objects = len(export_stix(runner).items)

        def stix() -> None:
            bundle.write_bytes(export_stix(runner).body())

        stix()  # untimed: a service's runner has answered queries before
        rounds = [(timed(dump), timed(made), timed(stix)) for _ in range(repeat)]
    return Figures(
        len(store),
        statistics.median(r[0][0] for r in rounds),
        statistics.median(r[1][0] for r in rounds),
        statistics.median(r[2][0] for r in rounds),
        statistics.median(r[0][1] for r in rounds),
        statistics.median(r[2][1] for r in rounds),
        statistics.median(r[0][2] for r in rounds),
        statistics.median(r[2][2] for r in rounds),
        objects,
        bundle.stat().st_size,
    )


def _ratio(part: float, whole: float) -> str:
    """``part / whole`` as ``3.2x``, or ``n/a`` when nothing was measured (no ``/proc``)."""
    return f"{part / whole:.1f}x" if whole else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--asserted-only",
        action="store_true",
        help="leave the synthetic triples' inferences out (the 1M build with them is slow)",
    )
    arguments = parser.parse_args()
    print(
        "| synthetic triples | quads in store | N-Quads dump (s) | STIX objects made (s) "
        "| STIX bundle written (s) | objects | bundle MB | STIX / dump | processor time ratio "
        "| with the workers' |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as scratch:
        for size in arguments.sizes:
            f = measure(size, arguments.repeat, Path(scratch), infer=not arguments.asserted_only)
            print(
                f"| {size:,} | {f.quads:,} | {f.dump:.2f} | {f.made:.2f} | {f.bundle:.2f} "
                f"| {f.objects:,} | {f.nbytes / 1e6:.1f} | {f.bundle / f.dump:.1f}x "
                f"| {f.bundle_cpu / f.dump_cpu:.1f}x | {_ratio(f.bundle_all, f.dump_all)} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
