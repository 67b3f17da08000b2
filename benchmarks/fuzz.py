"""The longer fuzz run: hostile inputs against a real ``cybergov serve`` on 127.0.0.1.

The inputs are those of the fuzz test (``tests/fuzzing.py``): mutated contributions in
Turtle, N-Triples, RDF/XML and JSON-LD, mutated SPARQL queries by GET and POST, and
question URLs with hostile parameters, made by Hypothesis. The server runs with one
contributor token, in memory, with its own deadline. The run prints, for each kind of
input, how many were sent, the statuses they got and how many got a 5xx the service does
not mean (503 for a query stopped at its deadline is counted apart), then whether the
server still answers.

Usage::

    python benchmarks/fuzz.py                       # 400 inputs of each kind
    python benchmarks/fuzz.py --examples 2000 --timeout 5
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import httpx
from hypothesis import HealthCheck, given, settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the inputs are the fuzz test's

from tests.fuzzing import (  # noqa: E402
    DEADLINE,
    SYNTAXES,
    Tally,
    contributions,
    queries,
    question_requests,
    send,
)

from servers import cybergov_service  # noqa: E402

TOKEN = "fuzz-token-0123456789abcdefghijklmnop"
KINDS = (*SYNTAXES, "sparql-get", "sparql-post", "question", "question-page")


def strategy(kind: str):
    if kind in SYNTAXES:
        return contributions(kind)
    if kind.startswith("sparql"):
        return queries()
    return question_requests()  # as JSON, and as the form's page


def run_kind(client: httpx.Client, kind: str, examples: int, tally: Tally) -> float:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy(kind))
    def fuzz(case: bytes | str) -> None:
        try:
            status = send(client, kind, case, token=TOKEN)
        except httpx.TransportError as error:  # the connection was cut: as bad as a 5xx
            status = f"5xx ({type(error).__name__})"
        tally.add(kind, status, repr(case))

    started = time.perf_counter()
    fuzz()
    return time.perf_counter() - started


def table(tally: Tally, seconds: dict[str, float]) -> str:
    lines = [
        "| input | sent | statuses | 5xx | seconds |",
        "|---|---:|---|---:|---:|",
    ]
    for kind in KINDS:
        counts = tally.statuses.get(kind, {})
        shown = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()))
        failures = sum(1 for k, _, _ in tally.failures if k == kind)
        lines.append(
            f"| {kind} | {sum(counts.values())} | {shown} | {failures} | {seconds[kind]:.0f} |"
        )
    total = sum(sum(c.values()) for c in tally.statuses.values())
    deadline = sum(c.get(DEADLINE, 0) for c in tally.statuses.values())
    lines.append(
        f"| all | {total} | of which {deadline} stopped at the deadline | "
        f"{len(tally.failures)} | {sum(seconds.values()):.0f} |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=400, help="Inputs of each kind.")
    parser.add_argument("--timeout", type=float, default=5.0, help="The server's deadline (s).")
    args = parser.parse_args()
    service = {"contributor_tokens": f"fuzzer={TOKEN}", "query_timeout": str(args.timeout)}
    tally, seconds = Tally(), {}
    with (
        cybergov_service(settings=service, ready_within=180) as (base, _),
        httpx.Client(base_url=base, timeout=args.timeout * 4 + 60) as client,
    ):
        for kind in KINDS:
            seconds[kind] = run_kind(client, kind, args.examples, tally)
            print(f"{kind}: {sum(tally.statuses.get(kind, {}).values())} inputs", flush=True)
        live = client.get("/healthz").status_code == 200
    print()
    print(table(tally, seconds))
    print(f"\nthe server answered /healthz afterwards: {'yes' if live else 'NO'}")
    for kind, status, shown in tally.failures[:20]:
        print(f"5xx: {kind} {status}: {shown}")
    sys.exit(0 if live and not tally.failures else 1)


if __name__ == "__main__":
    main()
