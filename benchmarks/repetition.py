"""The same contribution sent six times over HTTP: what each POST costs, and a question on it.

A real service (``cybergov serve``, the bundled graph in memory) is sent the sample
contribution of the tests (``tests/api/fixtures/contributions/grid-attack.ttl``)
six times by one contributor (the copies after the first are refused, 409),
then once by each of five others (six graphs holding the same statements).
The script prints the time of each POST and of a question about the incident
(``/questions/attributions``) after the first and after the sixth copy, and
whether its answer changed.

Usage: ``python benchmarks/repetition.py``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from servers import cybergov_service

ROOT = Path(__file__).resolve().parent.parent
CONTRIBUTION = (ROOT / "tests/api/fixtures/contributions/grid-attack.ttl").read_bytes()
INCIDENT = "https://w3id.org/cybergov/id/incident/example-grid-attack-2024"
TOKENS = {f"c{n}": f"benchmark-contributor-{n}-0123456789abcdef" for n in range(6)}


def post(client: httpx.Client, name: str) -> tuple[int, float]:
    started = time.perf_counter()
    response = client.post(
        "/contributions",
        content=CONTRIBUTION,
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKENS[name]}"},
    )
    return response.status_code, time.perf_counter() - started


def question(client: httpx.Client) -> tuple[object, float]:
    started = time.perf_counter()
    response = client.get("/questions/attributions", params={"incident": INCIDENT})
    response.raise_for_status()
    return response.json()["rows"], time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.parse_args()
    tokens = ", ".join(f"{name}={token}" for name, token in TOKENS.items())
    with (
        cybergov_service(settings={"contributor_tokens": tokens}) as (url, _),
        httpx.Client(base_url=url, timeout=300) as client,
    ):
        same = [post(client, "c0") for _ in range(6)]
        rows, first_question = question(client)
        others = [post(client, f"c{n}") for n in range(1, 6)]
        rows_after, sixth_question = question(client)
    copies = [same[0], *others]
    print("| POST | one contributor, again and again | the copy held by a new contributor |")
    print("|---:|---|---|")
    for number, ((status, seconds), copy) in enumerate(zip(same, copies, strict=True), 1):
        print(
            f"| {number} | {status}, {seconds * 1000:.0f} ms | {copy[0]}, {copy[1] * 1000:.0f} ms |"
        )
    print()
    print(f"sixth copy / first POST: {copies[-1][1] / copies[0][1]:.2f}x")
    print(
        f"question: {first_question * 1000:.0f} ms with one copy, {sixth_question * 1000:.0f} ms "
        f"with six; answer {'unchanged' if rows == rows_after else 'CHANGED'}"
    )


if __name__ == "__main__":
    main()
