"""The generated files of the curated graph are exactly what their generator writes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cybergov.paths import data_root
from tests.conftest import SHARED_DATA


def test_states_and_memberships_are_reproduced_by_their_generator(tmp_path):
    if not (SHARED_DATA / "country-codes").is_dir():
        pytest.skip(f"reference data not found at {SHARED_DATA}")
    done = subprocess.run(
        [
            sys.executable,
            str(data_root() / "tools" / "build_states.py"),
            "--data-dir",
            str(SHARED_DATA),
            "--kg-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for name in ("states.ttl", "memberships.ttl"):
        assert (tmp_path / name).read_text() == (data_root() / "kg" / name).read_text(), (
            f"kg/{name} differs from what tools/build_states.py writes"
        )


def test_the_generator_says_clearly_when_the_reference_data_is_missing(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            str(data_root() / "tools" / "build_states.py"),
            "--data-dir",
            str(tmp_path / "nowhere"),
            "--kg-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "nowhere" in done.stderr
