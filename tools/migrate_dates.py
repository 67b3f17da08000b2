"""Move calendar dates from ``xsd:date`` to ``xsd:dateTime`` at midnight, in place.

OWL 2 DL has no ``xsd:date`` (it is not in the OWL 2 datatype map): HermiT and
the OWL API's profile checker refuse it. From ontology 0.3.0 on, a calendar
day is written ``"2017-06-27T00:00:00"^^xsd:dateTime`` (no time zone: the day
where it happened). This script rewrites, in the files it is given (folders are
searched for Turtle, TriG, N-Triples, N-Quads, SPARQL and YAML files):

- typed literals ``"YYYY-MM-DD"^^xsd:date`` (prefixed or full IRI);
- the datatype ``xsd:date`` wherever else it is named (ranges, ``sh:datatype``);
- in the YAML of expected answers, quoted ``"YYYY-MM-DD"`` cells of answer rows
  (parameter values stay days: a ``date`` parameter takes ``YYYY-MM-DD``).

It is idempotent. The earlier releases kept whole in ``ontology/versions/`` are left
as they were published. Usage::

    python tools/migrate_dates.py            # kg/ ontology/ shapes/ queries/ tests/
    python tools/migrate_dates.py kg/new-file.ttl --check
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDERS = ("kg", "ontology", "shapes", "queries", "tests")
RDF_SUFFIXES = frozenset({".ttl", ".trig", ".nt", ".nq", ".rq"})
YAML_SUFFIXES = frozenset({".yaml", ".yml"})
MIDNIGHT = "T00:00:00"
#: Frozen releases of the ontology: never rewritten when a folder is searched.
KEPT_RELEASES = ROOT / "ontology" / "versions"

_DAY = r"(\d{4}-\d{2}-\d{2})"
# A quote may be escaped (\"), as in the examples that shapes' messages quote.
_PREFIXED_LITERAL = re.compile(rf'(\\?)"{_DAY}(\\?)"\^\^xsd:date(?![A-Za-z0-9_])')
_FULL_LITERAL = re.compile(rf'(\\?)"{_DAY}(\\?)"\^\^<http://www\.w3\.org/2001/XMLSchema#date>')
_PREFIXED_DATATYPE = re.compile(r"\bxsd:date(?![A-Za-z0-9_])")
_FULL_DATATYPE = re.compile(r"http://www\.w3\.org/2001/XMLSchema#date(?![A-Za-z0-9_])")
_YAML_CELL = re.compile(rf'"{_DAY}"')


def migrate_rdf(text: str) -> str:
    """The text of a Turtle, N-Triples or SPARQL file with its dates moved."""
    text = _PREFIXED_LITERAL.sub(rf'\1"\2{MIDNIGHT}\3"^^xsd:dateTime', text)
    text = _FULL_LITERAL.sub(
        rf'\1"\2{MIDNIGHT}\3"^^<http://www.w3.org/2001/XMLSchema#dateTime>', text
    )
    text = _PREFIXED_DATATYPE.sub("xsd:dateTime", text)
    return _FULL_DATATYPE.sub("http://www.w3.org/2001/XMLSchema#dateTime", text)


def migrate_yaml(text: str) -> str:
    """Expected answers: the date cells of answer rows, not the parameter values."""
    lines = [
        line if "params:" in line else _YAML_CELL.sub(rf'"\1{MIDNIGHT}"', line)
        for line in text.splitlines(keepends=True)
    ]
    return migrate_rdf("".join(lines))


def migrate_file(path: Path) -> bool:
    """Rewrite one file; whether it changed."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in YAML_SUFFIXES:
        new = migrate_yaml(text)
    elif path.suffix in RDF_SUFFIXES:
        new = migrate_rdf(text)
    else:
        return False
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def targets(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix in RDF_SUFFIXES | YAML_SUFFIXES
                and ".venv" not in p.parts
                and not p.is_relative_to(KEPT_RELEASES)
            )
        elif path.is_file():
            found.append(path)
        else:
            raise SystemExit(f"{path}: no such file or folder")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: all)")
    parser.add_argument(
        "--check", action="store_true", help="only list the files that still need migrating"
    )
    args = parser.parse_args(argv)
    paths = args.paths or [ROOT / folder for folder in DEFAULT_FOLDERS]
    stale: list[Path] = []
    for path in targets(paths):
        if args.check:
            text = path.read_text(encoding="utf-8")
            migrated = migrate_yaml(text) if path.suffix in YAML_SUFFIXES else migrate_rdf(text)
            if migrated != text:
                stale.append(path)
        elif migrate_file(path):
            print(f"migrated {path}")
    for path in stale:
        print(f"still uses xsd:date: {path}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
