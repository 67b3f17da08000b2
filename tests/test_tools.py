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
