"""Validation in context against pySHACL over the whole graph, side by side.

For stores of about 10k, 100k and 1M triples (the synthetic governance graph
of ``benchmarks/synthetic.py``, the ontology and the inferences), a
contribution of about 1,000 triples (new incidents, attributions and responses
that point at the store's states, groups, organs and incidents, with a few
deliberate errors) is validated

* in context, as ``cybergov validate`` does it: the contribution, the ontology,
  and the facts of the store it points at (median of several runs);
* by pySHACL over the whole graph plus the contribution, the way pySHACL is
  usually called (``pyshacl.validate(graph, shacl_graph=..., ont_graph=...)``),
  at 10k and 100k; at 1M only with ``--whole-at-1m`` (measured once: it takes
  minutes and gigabytes).

Both must find the same violations on the contribution's nodes; the script
says so, or stops. It prints a table of medians and ratios.

With ``--engines`` it compares instead, on a store of 10k synthetic triples, the
compiled shapes (what the service runs: the data graph in context, then
:mod:`cybergov.contribute.compiled_shapes`) with pySHACL alone on the same data
graph, the same shapes and ontology and the same focus nodes (the call validation
made before, with its prepared-query graph), for contributions of about 190 and
20,000 triples: medians, the ratio, and whether both found the same results.

Usage: ``python benchmarks/validation.py [--sizes 10000,100000,1000000] [--runs 7]
[--whole-runs 3] [--whole-at-1m]`` or ``python benchmarks/validation.py --engines
[--contribution-sizes 190,20000] [--runs 5]``
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pyshacl
import rdflib
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cybergov.contribute.intake import to_rdflib_term
from cybergov.contribute.validation import (
    PreparedQueryGraph,
    ShapesBundle,
    data_graph,
    shapes_bundle,
    validate_contribution,
)
from cybergov.knowledge.ontology import ontology_modules
from cybergov.knowledge.rules import materialise, read_rules
from cybergov.namespaces import SH
from cybergov.store import EmbeddedStore
from synthetic import (
    DESCRIPTION,
    LABEL,
    RDF_TYPE,
    SECTORS,
    SOURCE,
    TRIPLES_PER_INCIDENT,
    TYPES,
    cg,
    day,
    generate,
    rid,
)

T = TypeVar("T")
CONTRIBUTION_GRAPH = NamedNode("https://w3id.org/cybergov/graph/contribution/benchmark")


def build_store(size: int) -> tuple[EmbeddedStore, float]:
    """An in-memory store with the ontology, a synthetic graph of ``size`` triples and
    the inferences, as ``cybergov load`` leaves a store."""
    started = time.perf_counter()
    store = EmbeddedStore()
    for module in ontology_modules():
        store.replace_graph(
            module.graph, module.path.read_bytes(), format=RdfFormat.TURTLE, source=str(module.path)
        )
    store.oxigraph.bulk_extend(generate(size))
    materialise(store, read_rules())
    return store, time.perf_counter() - started


def contribution_triples(size: int, *, target: int = 1_000, seed: int = 11) -> Iterator[Quad]:
    """About ``target`` triples of new records that point at the synthetic store of
    ``size`` triples; five of the records carry an error the shapes must find."""
    rng = random.Random(seed)
    incidents_in_store = max(10, size // TRIPLES_PER_INCIDENT)
    n_states = min(200, max(10, incidents_in_store // 20))
    n_organs = max(5, incidents_in_store // 40)
    n_groups = max(5, incidents_in_store // 25)
    graph = CONTRIBUTION_GRAPH
    count = 0
    unit = 0
    while count < target:
        quads: list[Quad] = []

        def add(
            s: NamedNode, p: NamedNode, o: NamedNode | Literal, quads: list[Quad] = quads
        ) -> None:
            quads.append(Quad(s, p, o, graph))

        began = date(2015, 1, 1) + timedelta(days=rng.randrange(3000))
        incident = rid("incident", f"bench-contribution-{unit}-{began.year}")
        add(incident, RDF_TYPE, cg("Incident"))
        add(incident, LABEL, Literal(f"Contributed incident {unit}", language="en"))
        add(incident, DESCRIPTION, Literal(f"An invented incident, number {unit}.", language="en"))
        add(incident, SOURCE, NamedNode(f"https://example.org/contributed/{unit}"))
        add(incident, cg("startDate"), day(began))
        add(incident, cg("incidentType"), rid("incident-type", rng.choice(TYPES)))
        add(incident, cg("targetCountry"), rid("state", f"S{rng.randrange(n_states):03d}"))
        for sector in rng.sample(SECTORS, 2):
            add(incident, cg("targetSector"), rid("sector", sector))
        attributor = rng.randrange(n_states)
        attribution = rid("attribution", f"bench-contribution-{unit}--s{attributor:03d}")
        add(attribution, RDF_TYPE, cg("Attribution"))
        add(
            attribution,
            LABEL,
            Literal(f"Attribution of contributed incident {unit}", language="en"),
        )
        add(attribution, SOURCE, NamedNode(f"https://example.org/contributed/{unit}/attribution"))
        add(attribution, cg("attributedBy"), rid("state", f"S{attributor:03d}"))
        add(attribution, cg("attributedIncident"), incident)
        culprit = (
            rid("group", f"synthetic-group-{rng.randrange(n_groups)}")
            if unit % 2
            else rid("organ", f"synthetic-organ-{rng.randrange(n_organs)}")
        )
        add(attribution, cg("attributedTo"), culprit)
        dated = began + timedelta(days=rng.randrange(30, 600))
        add(attribution, cg("attributionDate"), day(dated))
        add(attribution, cg("attributionBasis"), rid("attribution-basis", "political"))
        add(attribution, cg("attributionStatus"), rid("attribution-status", "claimed"))
        add(attribution, cg("confidence"), rid("confidence", "unstated"))
        response = rid("response", f"bench-contribution-{unit}-2024-01-01")
        add(response, RDF_TYPE, cg("Demarche" if unit % 3 else "AttributionStatement"))
        add(response, LABEL, Literal(f"Response to a stored incident, {unit}", language="en"))
        add(
            response, DESCRIPTION, Literal("A response to an incident of the store.", language="en")
        )
        add(response, SOURCE, NamedNode(f"https://example.org/contributed/{unit}/response"))
        add(response, cg("respondent"), rid("state", f"S{attributor:03d}"))
        add(
            response,
            cg("respondsTo"),
            rid("incident", f"synthetic-{rng.randrange(incidents_in_store)}"),
        )
        add(response, cg("responseDate"), day(date(2026, 1, 1)))
        if unit < 5:  # the deliberate errors, one of each kind
            broken = [
                Quad(attribution, cg("attributionDate"), Literal("sometime"), graph),
                Quad(incident, cg("targetCountry"), rid("state", "ZZ-unknown"), graph),
                Quad(attribution, cg("confidence"), rid("confidence", "certain"), graph),
                Quad(response, cg("respondsTo"), rid("state", "S000"), graph),
                Quad(incident, cg("endDate"), day(date(2001, 1, 1)), graph),
            ][unit]
            quads.append(broken)
        count += len(quads)
        unit += 1
        yield from quads


def as_rdflib(quads: Iterator[Quad], graph: rdflib.Graph) -> rdflib.Graph:
    for quad in quads:
        graph.add(
            (
                to_rdflib_term(quad.subject),  # type: ignore[arg-type]
                to_rdflib_term(quad.predicate),
                to_rdflib_term(quad.object),  # type: ignore[arg-type]
            )
        )
    return graph


def findings_on(report: rdflib.Graph, nodes: set[rdflib.term.Node]) -> set[tuple[str, str, str]]:
    """The (focus, path, shape) of the results about the given nodes."""
    found = set()
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        if focus in nodes:
            found.add(
                (
                    str(focus),
                    str(report.value(result, SH.resultPath)),
                    str(report.value(result, SH.sourceShape)),
                )
            )
    return found


def median_time(run: Callable[[], T], runs: int) -> tuple[float, T]:
    times = []
    result: T | None = None
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    assert result is not None
    return statistics.median(times), result


def whole_graph(
    store: EmbeddedStore, contribution: rdflib.Graph, bundle: ShapesBundle, *, prepared: bool
) -> rdflib.Graph:
    """pySHACL over everything the store holds plus the contribution; returns the report.

    ``prepared=False`` is pySHACL as it is usually called (it copies the graph to mix in
    the ontology, and parses each SPARQL constraint once per focus node);
    ``prepared=True`` gives it the same prepared-query graph, in place, as validation in
    context does, to show how much of the difference comes from that alone.
    """
    data: rdflib.Graph = PreparedQueryGraph() if prepared else rdflib.Graph()
    for quad in store.oxigraph.quads_for_pattern(None, None, None, None):
        data.add(
            (
                to_rdflib_term(quad.subject),  # type: ignore[arg-type]
                to_rdflib_term(quad.predicate),
                to_rdflib_term(quad.object),  # type: ignore[arg-type]
            )
        )
    for triple in contribution:
        data.add(triple)
    _, report, _ = pyshacl.validate(
        data,
        shacl_graph=bundle.shapes,
        ont_graph=bundle.ontology,
        inference="none",
        inplace=prepared,
    )
    return report


def unknown_objects(store: EmbeddedStore, contribution: rdflib.Graph) -> set[rdflib.term.Node]:
    """The IRIs the contribution points at that have no type in the store."""
    return {
        o
        for o in contribution.objects()
        if isinstance(o, rdflib.URIRef)
        and not any(store.oxigraph.quads_for_pattern(NamedNode(str(o)), RDF_TYPE, None, None))
    }


def measure(size: int, bundle: ShapesBundle, *, runs: int, whole_runs: int) -> dict[str, Any]:
    """One row of the table: the store of ``size`` synthetic triples, both methods."""
    store, built = build_store(size)
    contribution = as_rdflib(contribution_triples(size), rdflib.Graph())
    nodes = set(contribution.subjects()) | unknown_objects(store, contribution)
    print(
        f"store of {size:,} synthetic triples: {len(store):,} quads with the ontology and "
        f"inferences (built in {built:.1f} s); contribution of {len(contribution):,} triples",
        file=sys.stderr,
        flush=True,
    )
    validate_contribution(contribution, store, source="warm-up", bundle=bundle)
    in_context, report = median_time(
        partial(validate_contribution, contribution, store, source="benchmark", bundle=bundle),
        runs,
    )
    context_found = findings_on(report.graph, nodes)
    row: dict[str, Any] = {
        "size": size,
        "quads": len(store),
        "in_context": in_context,
        "found": len(context_found),
        "whole": None,
        "whole_prepared": None,
        "agree": None,
    }
    if whole_runs:
        row["whole"], whole_report = median_time(
            partial(whole_graph, store, contribution, bundle, prepared=False), whole_runs
        )
        row["whole_prepared"], _ = median_time(
            partial(whole_graph, store, contribution, bundle, prepared=True), whole_runs
        )
        whole_found = findings_on(whole_report, nodes)
        row["agree"] = whole_found == context_found
        if not row["agree"]:
            print("the two methods disagree on the contribution:", file=sys.stderr)
            print(f"  only whole graph: {sorted(whole_found - context_found)}", file=sys.stderr)
            print(f"  only in context:  {sorted(context_found - whole_found)}", file=sys.stderr)
    return row


def pyshacl_alone(contribution: rdflib.Graph, store: EmbeddedStore, bundle: ShapesBundle) -> float:
    """Seconds pySHACL takes on the data graph validation in context builds (built
    beforehand, not timed)."""
    data = data_graph(contribution, store, bundle)
    graph = PreparedQueryGraph()
    for triple in data.graph:
        graph.add(triple)
    started = time.perf_counter()
    conforms, _, _ = pyshacl.validate(
        graph,
        shacl_graph=bundle.shapes,
        ont_graph=bundle.ontology,
        inference="none",
        inplace=True,
        focus_nodes=list(data.focus),
        advanced=False,
    )
    seconds = time.perf_counter() - started
    assert isinstance(conforms, bool)
    return seconds


def compare_engines(sizes: list[int], runs: int) -> None:
    """The compiled shapes against pySHACL alone, for contributions of the given sizes."""
    bundle = shapes_bundle()
    store, _ = build_store(10_000)
    print(
        "| contribution (triples) | compiled, in context | pySHACL alone | ratio | same results |"
    )
    print("|---:|---:|---:|---:|:---:|")
    for size in sizes:
        contribution = as_rdflib(contribution_triples(10_000, target=size), rdflib.Graph())
        validate_contribution(contribution, store, source="warm-up", bundle=bundle)
        ours, report = median_time(
            partial(validate_contribution, contribution, store, source="b", bundle=bundle), runs
        )
        reference_runs = runs if size < 5_000 else 1
        alone = statistics.median(
            pyshacl_alone(contribution, store, bundle) for _ in range(reference_runs)
        )
        reference = validate_contribution(
            contribution, store, source="b", bundle=bundle, reference=True
        )
        same = {(f.focus, f.path, f.shape) for f in report.findings} == {
            (f.focus, f.path, f.shape) for f in reference.findings
        } and report.conforms == reference.conforms
        print(
            f"| {len(contribution):,} | {ours * 1000:.0f} ms | {alone * 1000:.0f} ms "
            f"| {ours / alone:.2f}x | {'yes' if same else 'NO'} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=7, help="runs of the in-context validation")
    parser.add_argument("--whole-runs", type=int, default=3, help="runs of whole-graph validation")
    parser.add_argument(
        "--whole-limit",
        type=int,
        default=200_000,
        help="largest store validated whole, except with --whole-at-1m (default: 200000)",
    )
    parser.add_argument(
        "--whole-at-1m", action="store_true", help="also validate the largest store whole, once"
    )
    parser.add_argument("--engines", action="store_true", help="compiled shapes vs pySHACL")
    parser.add_argument("--contribution-sizes", default="190,20000")
    args = parser.parse_args()
    if args.engines:
        compare_engines([int(s) for s in args.contribution_sizes.split(",")], args.runs)
        return
    bundle = shapes_bundle()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        whole_runs = args.whole_runs if size <= args.whole_limit else int(args.whole_at_1m)
        rows.append(measure(size, bundle, runs=args.runs, whole_runs=whole_runs))
        gc.collect()
    print_table(rows, runs=args.runs, whole_runs=args.whole_runs)
    if any(row["agree"] is False for row in rows):
        raise SystemExit(1)


def _seconds(value: float | None) -> str:
    return f"{value:.1f} s" if value is not None else "skipped"


def _ratio(whole: float | None, in_context: float) -> str:
    return f"{whole / in_context:.0f}x" if whole is not None else "-"


def print_table(rows: list[dict[str, Any]], *, runs: int, whole_runs: int) -> None:
    base = rows[0]["in_context"]
    print()
    print(
        f"Validating a contribution of about 1,000 triples: median of {runs} runs in context, "
        f"of {whole_runs} over the whole graph (1 at sizes past --whole-limit)"
    )
    print()
    print(
        "| store (synthetic triples) | quads in store | in context | vs smallest | "
        "pySHACL, whole graph | ratio | whole graph, prepared queries | ratio | same findings |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|:---:|")
    for row in rows:
        in_context = row["in_context"]
        agree = {True: "yes", False: "NO", None: "-"}[row["agree"]]
        print(
            f"| {row['size']:,} | {row['quads']:,} | {in_context * 1000:.0f} ms "
            f"| {in_context / base:.2f}x | {_seconds(row['whole'])} "
            f"| {_ratio(row['whole'], in_context)} | {_seconds(row['whole_prepared'])} "
            f"| {_ratio(row['whole_prepared'], in_context)} | {agree} |"
        )


if __name__ == "__main__":
    main()
