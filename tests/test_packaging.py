"""The wheel carries the data folders, and the installed package finds them there."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from cybergov.settings import data_root


@pytest.mark.slow
def test_the_wheel_ships_the_data_and_finds_it(tmp_path):
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(data_root()),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("cybergov-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "cybergov/_data/ontology/cybergov.ttl",
        "cybergov/_data/kg/states.ttl",
        "cybergov/_data/queries/rules/attribution-chain.rq",
        "cybergov/settings.py",
    ):
        assert expected in names
    target = tmp_path / "site"
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    found = subprocess.run(
        [sys.executable, "-c", "from cybergov.settings import data_root; print(data_root())"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(target)},
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == str(target / "cybergov" / "_data")
