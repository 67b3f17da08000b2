"""The parallel test run keeps each test file on one worker (tests/conftest.py groups the
tests; pytest-xdist's ``--dist loadgroup`` hands out the groups). If an upgrade of pytest
or pytest-xdist stops the grouping, module fixtures are built once per worker and the
Virtuoso tests start one Virtuoso per worker: this test says so."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = ("tests/test_settings.py", "tests/test_namespaces.py")
PASSED = re.compile(r"^\[(gw\d+)\].* PASSED (\S+?)::")


@pytest.mark.slow
def test_each_file_runs_on_one_worker():
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v",
         "-p", "no:cacheprovider", "-p", "no:randomly", *FILES],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    workers: dict[str, set[str]] = defaultdict(set)
    for line in done.stdout.splitlines():
        if found := PASSED.match(line):
            workers[found.group(2)].add(found.group(1))
    assert set(workers) == set(FILES), done.stdout[-2000:]
    assert all(len(used) == 1 for used in workers.values()), dict(workers)
