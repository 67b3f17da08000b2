"""The generated files of the curated graph are exactly what their generator writes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cybergov.settings import data_root
from tests.conftest import SHARED_DATA


def build_states(data_dir: Path, kg_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run tools/build_states.py from ``data_dir`` into ``kg_dir``."""
    return subprocess.run(
        [
            sys.executable,
            str(data_root() / "tools" / "build_states.py"),
            "--data-dir",
            str(data_dir),
            "--kg-dir",
            str(kg_dir),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_states_and_memberships_are_reproduced_by_their_generator(tmp_path):
    if not (SHARED_DATA / "country-codes").is_dir():
        pytest.skip(f"reference data not found at {SHARED_DATA}")
    done = build_states(SHARED_DATA, tmp_path)
    assert done.returncode == 0, done.stderr
    for name in ("states.ttl", "memberships.ttl"):
        assert (tmp_path / name).read_text() == (data_root() / "kg" / name).read_text(), (
            f"kg/{name} differs from what tools/build_states.py writes"
        )


def test_the_generator_says_clearly_when_the_reference_data_is_missing(tmp_path):
    done = build_states(tmp_path / "nowhere", tmp_path)
    assert done.returncode != 0
    assert "nowhere" in done.stderr


def migrate_dates(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(data_root() / "tools" / "migrate_dates.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_dates_migrate_to_midnight_datetimes_in_one_idempotent_command(tmp_path):
    turtle = tmp_path / "kg" / "file.ttl"
    turtle.parent.mkdir()
    turtle.write_text(
        'ex:a cg:startDate "2017-06-27"^^xsd:date ;\n'
        '  cg:endDate "2018-01-02"^^<http://www.w3.org/2001/XMLSchema#date> ;\n'
        '  sh:message "such as \\"2019-03-04\\"^^xsd:date" .\n'
        "cg:startDate rdfs:range xsd:date .\n"
    )
    answers = tmp_path / "expected.yaml"
    answers.write_text(
        '- params: {since: "2018-01-01"}\n  includes:\n    - {start: "2017-06-27", x: "~^2017-"}\n'
    )
    assert migrate_dates("--check", str(tmp_path)).returncode == 1
    done = migrate_dates(str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert turtle.read_text() == (
        'ex:a cg:startDate "2017-06-27T00:00:00"^^xsd:dateTime ;\n'
        '  cg:endDate "2018-01-02T00:00:00"^^<http://www.w3.org/2001/XMLSchema#dateTime> ;\n'
        '  sh:message "such as \\"2019-03-04T00:00:00\\"^^xsd:dateTime" .\n'
        "cg:startDate rdfs:range xsd:dateTime .\n"
    )
    assert answers.read_text() == (
        '- params: {since: "2018-01-01"}\n'
        '  includes:\n    - {start: "2017-06-27T00:00:00", x: "~^2017-"}\n'
    )
    migrated = turtle.read_text()
    assert migrate_dates(str(tmp_path)).returncode == 0
    assert turtle.read_text() == migrated  # a second run changes nothing
    assert migrate_dates("--check", str(tmp_path)).returncode == 0


def test_the_project_is_migrated():
    done = migrate_dates("--check")
    assert done.returncode == 0, done.stdout
