"""The inference part of an import alone, three ways, on the same statements.

For each source (a synthetic CFR export of 1 and of ``--rows`` rows written by the import
benchmark's generator, the CFR fixture of the tests, and MITRE ATT&CK and the MISP galaxy of
``../shared/data`` when present), a copy of the loaded store imports the file once; the
statements of its graph and the metadata graph it leaves are then given, again and again,
to

* ``full``: every inferred graph worked out from nothing (a refresh without the store's
  inferences, as a re-import or a withdrawal does on its scratch copy);
* ``copy``: :func:`cybergov.knowledge.rules.materialise_increment`, the increment on working
  copies of the whole store (what a remote store still uses);
* ``parts``: :func:`cybergov.knowledge.increment.materialise_change`, the increment on parts
  of the store near the new statements, the derivation rules evaluated on everything (their
  ``reach`` left out: what an import into an embedded store used before the rules declared
  it);
* ``keys``: the same with the rules as they are, the derivation rules evaluated for the
  records the new statements touch only (what an import into an embedded store uses).

The three are run in turn ``--repeat`` times; the table gives the medians and says whether
the three wrote the same inferred graphs.

Usage: ``python benchmarks/import_inference.py [--rows 2000] [--repeat 3] [--ways parts,keys]
[--base FILE]``
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, Triple

from cybergov.contribute.staging import scratch_copy
from cybergov.importers.run import run_import
from cybergov.importers.sources import importer_for
from cybergov.knowledge.increment import materialise_change, metadata_but_inferred
from cybergov.knowledge.load import load
from cybergov.knowledge.rules import Rule, materialise, materialise_increment, read_rules
from cybergov.namespaces import INFERRED_GRAPH_PREFIX
from cybergov.settings import data_root
from cybergov.store.embedded import EmbeddedStore
from cybergov.store.factory import memory_store
from imports import write_synthetic_cfr

ROOT = Path(__file__).resolve().parent.parent
SHARED = data_root().parent / "shared" / "data"
_Way = Callable[[EmbeddedStore, list[Rule], EmbeddedStore, list[Quad]], object]


def _full(target: EmbeddedStore, rules: list[Rule], base: EmbeddedStore, extra: list[Quad]) -> None:
    materialise(target, rules, source=base, extra=extra)


def _copy(target: EmbeddedStore, rules: list[Rule], base: EmbeddedStore, extra: list[Quad]) -> None:
    assert materialise_increment(target, rules, source=base, extra=extra) is not None


def _parts(
    target: EmbeddedStore, rules: list[Rule], base: EmbeddedStore, extra: list[Quad]
) -> None:
    everything = [dataclasses.replace(rule, reach=None) for rule in rules]
    assert materialise_change(target, everything, source=base, extra=extra) is not None


def _keys(target: EmbeddedStore, rules: list[Rule], base: EmbeddedStore, extra: list[Quad]) -> None:
    assert materialise_change(target, rules, source=base, extra=extra) is not None


WAYS: dict[str, _Way] = {"full": _full, "copy": _copy, "parts": _parts, "keys": _keys}


def _inferred(store: EmbeddedStore) -> dict[str, set[Triple]]:
    return {
        graph: set(store.graph_triples(graph))
        for graph in store.named_graphs()
        if graph.startswith(INFERRED_GRAPH_PREFIX)
    }


def measure(
    base: EmbeddedStore, source: str, path: Path, repeat: int, ways: list[str]
) -> tuple[int, dict[str, float], bool]:
    rules = read_rules()
    copy = scratch_copy(base)
    report = run_import(copy, importer_for(source), path, name="bench")
    graph = NamedNode(report.graph)
    extra = [
        Quad(t.subject, t.predicate, t.object, graph) for t in copy.graph_triples(report.graph)
    ]
    described = metadata_but_inferred(copy)
    times: dict[str, list[float]] = {name: [] for name in ways}
    results: dict[str, dict[str, set[Triple]]] = {}
    for _ in range(repeat):
        for name in ways:
            way = WAYS[name]
            target = memory_store()
            target.oxigraph.extend(described)
            started = time.perf_counter()
            way(target, rules, base, extra)
            times[name].append(time.perf_counter() - started)
            results[name] = _inferred(target)
    same = all(results[name] == results[ways[0]] for name in ways)
    return len(extra), {n: statistics.median(t) for n, t in times.items()}, same


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, default=2000, help="rows of the larger synthetic export"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each way")
    parser.add_argument(
        "--ways", default=",".join(WAYS), help=f"the ways to run, of {', '.join(WAYS)}"
    )
    parser.add_argument(
        "--base",
        type=Path,
        help="an N-Quads file of a store with its inferences to import into (as the exchange "
        "benchmark caches them, benchmarks/out/cache/exchange-SIZE-*.nq), not the bundled graph",
    )
    options = parser.parse_args(argv)
    ways = [name for name in WAYS if name in options.ways.split(",")]
    base = memory_store()
    if options.base is None:
        load(base)
    else:
        with options.base.open("rb") as dump:
            base.oxigraph.bulk_load(dump, RdfFormat.N_QUADS)
        print(f"{len(base.oxigraph):,} quads in the store")
    ratios = [f"{name} / keys" for name in ways if name != "keys" and "keys" in ways]
    columns = [*(f"{name} (s)" for name in ways), *ratios]
    print(f"| source | statements | {' | '.join(columns)} | same graphs |")
    print(f"|---|--:|{'--:|' * len(columns)}---|")
    with tempfile.TemporaryDirectory() as folder:
        cases: list[tuple[str, str, Path]] = []
        for rows in (1, options.rows):
            export = Path(folder) / f"cfr-{rows}.csv"
            write_synthetic_cfr(export, rows)
            cases.append((f"synthetic CFR, {rows:,} row{'s' if rows > 1 else ''}", "cfr", export))
        cases.insert(
            1,
            ("CFR fixture", "cfr", ROOT / "tests" / "fixtures" / "importers" / "cfr-synthetic.csv"),
        )
        if SHARED.is_dir():
            cases += [
                ("ATT&CK", "stix", SHARED / "mitre-cti"),
                ("MISP", "misp", SHARED / "misp-galaxy"),
            ]
        for label, source, path in cases:
            size, median, same = measure(base, source, path, options.repeat, ways)
            cells = [f"{median[name]:.2f}" for name in ways]
            cells += [
                f"{median[name] / median['keys']:.1f}x"
                for name in ways
                if name != "keys" and "keys" in ways
            ]
            print(
                f"| {label} | {size:,} | {' | '.join(cells)} | {'yes' if same else 'NO'} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
