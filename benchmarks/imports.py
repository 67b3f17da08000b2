"""Import times against loading the same triples raw into the store.

For each source (the synthetic CFR fixture of the tests, MITRE ATT&CK and the MISP galaxy
of ``../shared/data``, and a synthetic CFR export of ``--rows`` rows written by
:func:`write_synthetic_cfr`), a copy of the loaded store

* imports the file as ``cybergov import`` does it (read, match, validate in context,
  write the graph and refresh the inferences in one change), and
* loads every statement that import wrote, raw, into a fresh copy of the loaded store: the
  import's graph as N-Triples (``replace_graph``) and the statements it added to the
  metadata graph (its description) and to the inferred graphs as N-Quads (one load); no
  matching, no validation, no inference.

It prints a table of the times and the ratio, with the time spent validating (the shapes)
in a column of its own, and the fixed cost of an import (a 1-row synthetic file) apart from
its cost per row (from the synthetic export). The shapes are read and compiled once before
the first import, as a running service holds them.

Usage: ``python benchmarks/imports.py [--rows 100000] [--skip-large] [--write FILE]``;
``--write FILE`` only writes the synthetic export of ``--rows`` rows to FILE.
"""

from __future__ import annotations

import argparse
import csv
import logging
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat

from cybergov.contribute.staging import scratch_copy
from cybergov.contribute.validation import compiled_shapes, shapes_bundle
from cybergov.importers.cfr import COLUMNS
from cybergov.importers.model import Importer
from cybergov.importers.run import run_import
from cybergov.importers.sources import importer_for
from cybergov.knowledge.load import load
from cybergov.settings import data_root
from cybergov.store.embedded import EmbeddedStore
from cybergov.store.factory import memory_store

ROOT = Path(__file__).resolve().parent.parent
SHARED = data_root().parent / "shared" / "data"
SPONSORS = (
    "Russian Federation",
    "China",
    "Iran (Islamic Republic of)",
    "Korea (Democratic People's Republic of)",
    "China, Russian Federation",
    "Hong Kong",
    "",
)
VICTIMS = ("Ukraine", "United States", "Germany", "France", "Japan", "India", "Acme Widgets Ltd")
TYPES = (
    "Espionage",
    "Sabotage",
    "Denial of service",
    "Data destruction",
    "Doxing",
    "Defacement",
    "",
)
CATEGORIES = ("Government", "Private sector", "Civil society", "Military", "")


def write_synthetic_cfr(path: Path, rows: int, *, seed: int = 12) -> None:
    """A synthetic export in the CFR tracker's layout: invented operations, marked as such,
    with the tracker's kinds of bad rows mixed in (empty dates and types, territories,
    victims that are no state, duplicates)."""
    chance = random.Random(seed)
    first = date(2005, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        previous: list[str] = []
        for number in range(1, rows + 1):
            if previous and chance.random() < 0.01:
                writer.writerow(previous)  # a duplicate row
                continue
            day = first + timedelta(days=chance.randrange(7300))
            row = [
                f"Synthetic operation {number} against {chance.choice(VICTIMS)}",
                "" if chance.random() < 0.02 else day.isoformat(),
                "",
                f"[synthetic benchmark row {number}] An invented operation.",
                "",
                chance.choice(VICTIMS),
                chance.choice(SPONSORS),
                chance.choice(TYPES),
                chance.choice(CATEGORIES),
                f"https://example.org/synthetic/benchmark/{number}",
                "",
                "",
            ]
            writer.writerow(row)
            previous = row


@dataclass(frozen=True, slots=True)
class Timing:
    source: str
    rows: int
    triples: int
    written: int
    made: int
    refused: int
    import_seconds: float
    validation_seconds: float
    raw_seconds: float


class _ValidationClock(logging.Handler):
    """Adds up the validation times that validate_contribution logs."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seconds = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "validated in" in message:
            self.seconds += float(message.rsplit("validated in ", 1)[1].split(" ms")[0]) / 1000


def _added_elsewhere(base: EmbeddedStore, store: EmbeddedStore, graph: str) -> list[Quad]:
    """The statements an import added outside its own graph (its description in the
    metadata graph, the inferred statements)."""
    added: list[Quad] = []
    for name in store.named_graphs():
        if name == graph:
            continue
        before = set(base.graph_triples(name)) if name in base.named_graphs() else set()
        target = NamedNode(name)
        added += (
            Quad(t.subject, t.predicate, t.object, target)
            for t in store.graph_triples(name)
            if t not in before
        )
    return added


def measure(base: EmbeddedStore, label: str, importer: Importer, path: Path) -> Timing:
    store = scratch_copy(base)
    clock = _ValidationClock()
    logger = logging.getLogger("cybergov.contribute.validation")
    logger.addHandler(clock)
    logger.setLevel(logging.INFO)
    started = time.perf_counter()
    report = run_import(store, importer, path, name="bench")
    elapsed = time.perf_counter() - started
    logger.removeHandler(clock)
    with tempfile.TemporaryFile() as dump:
        store.export(dump, RdfFormat.N_TRIPLES, graph=report.graph)
        dump.seek(0)
        data = dump.read()
    added = _added_elsewhere(base, store, report.graph)
    derived = b"".join(f"{quad} .\n".encode() for quad in added)
    fresh = scratch_copy(base)
    started = time.perf_counter()
    fresh.replace_graph(report.graph, data, format=RdfFormat.N_TRIPLES, source="raw")
    fresh.oxigraph.load(derived, RdfFormat.N_QUADS)
    raw = time.perf_counter() - started
    written = store.graph_size(report.graph) + len(added)
    return Timing(
        label,
        report.counts.rows,
        report.counts.triples,
        written,
        report.counts.made,
        report.counts.refused,
        elapsed,
        clock.seconds,
        raw,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the synthetic export")
    parser.add_argument("--skip-large", action="store_true", help="leave out the synthetic export")
    parser.add_argument("--write", type=Path, help="only write the synthetic export to this file")
    options = parser.parse_args(argv)
    if options.write:
        write_synthetic_cfr(options.write, options.rows)
        return 0
    base = memory_store()
    load(base)
    compiled_shapes(shapes_bundle())  # read once per process, as the service holds them
    cases: list[tuple[str, str, Path]] = [
        ("CFR fixture", "cfr", ROOT / "tests" / "fixtures" / "importers" / "cfr-synthetic.csv")
    ]
    if SHARED.is_dir():
        cases += [
            ("ATT&CK", "stix", SHARED / "mitre-cti"),
            ("MISP", "misp", SHARED / "misp-galaxy"),
        ]
    with tempfile.TemporaryDirectory() as folder:
        one = Path(folder) / "cfr-synthetic-1.csv"
        write_synthetic_cfr(one, 1)
        cases.insert(0, ("synthetic CFR, 1 row", "cfr", one))
        if not options.skip_large:
            large = Path(folder) / f"cfr-synthetic-{options.rows}.csv"
            write_synthetic_cfr(large, options.rows)
            cases.append((f"synthetic CFR, {options.rows:,} rows", "cfr", large))
        timings = [measure(base, label, importer_for(s), path) for label, s, path in cases]
    print(
        "| source | rows | triples | written | made | refused | import (s) "
        "| of which validation (s) | raw load (s) | import / raw |\n"
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    )
    for t in timings:
        print(
            f"| {t.source} | {t.rows:,} | {t.triples:,} | {t.written:,} | {t.made:,} | "
            f"{t.refused:,} | "
            f"{t.import_seconds:.2f} | {t.validation_seconds:.2f} | {t.raw_seconds:.3f} | "
            f"{t.import_seconds / max(t.raw_seconds, 1e-9):,.0f}x |"
        )
    fixed = timings[0]
    for t in timings[1:]:
        if t.rows > 1 and t.source.startswith("synthetic CFR"):
            per_row = (t.import_seconds - fixed.import_seconds) / (t.rows - 1)
            raw_per_row = (t.raw_seconds - fixed.raw_seconds) / (t.rows - 1)
            print(
                f"\n{t.source}: fixed cost {fixed.import_seconds:.2f} s (the 1-row import), "
                f"then {per_row * 1000:.2f} ms a row against {raw_per_row * 1000:.3f} ms a row "
                f"raw ({per_row / max(raw_per_row, 1e-9):,.0f}x)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
