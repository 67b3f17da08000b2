"""``cybergov import``, run as a user runs it, into an on-disk store."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cybergov.cli import app
from tests.conftest import copy_of_loaded
from tests.importers.conftest import CFR_FIXTURE

runner = CliRunner()


def test_import_report_reimport_and_withdraw(tmp_path: Path, loaded_folder: Path) -> None:
    store = str(copy_of_loaded(loaded_folder, tmp_path / "store"))
    report = tmp_path / "report.json"
    first = runner.invoke(
        app, ["import", "cfr", str(CFR_FIXTURE), "--store", store, "--name", "fixture",
              "--report", str(report)],
    )  # fmt: skip
    assert first.exit_code == 1, first.output  # rows were refused, the rest imported
    assert "for review" in first.output and "imported" in first.output
    written = json.loads(report.read_text())
    assert written["counts"]["refused"] == 3
    assert any(p["field"] == "Date" for p in written["problems"])
    assert "row 11, Date: empty" in report.with_suffix(".txt").read_text()
    again = runner.invoke(
        app, ["import", "cfr", str(CFR_FIXTURE), "--store", store, "--name", "fixture"]
    )
    assert "unchanged: nothing written" in again.output
    gone = runner.invoke(
        app,
        ["import", "cfr", str(CFR_FIXTURE), "--store", store, "--name", "fixture", "--withdraw"],
    )
    assert gone.exit_code == 0, gone.output
    assert "withdrew cfr--fixture" in gone.output
    missing = runner.invoke(
        app,
        ["import", "cfr", str(CFR_FIXTURE), "--store", store, "--name", "fixture", "--withdraw"],
    )
    assert missing.exit_code == 2


def test_dry_run_and_unreadable_file(tmp_path: Path) -> None:
    dry = runner.invoke(
        app, ["import", "cfr", str(CFR_FIXTURE), "--dry-run", "--as-of", "2025-06-01"]
    )
    assert "dry run: nothing written" in dry.output
    wrong = runner.invoke(app, ["import", "cfr", str(CFR_FIXTURE), "--as-of", "June"])
    assert wrong.exit_code == 2 and "YYYY-MM-DD" in wrong.output
    bad = tmp_path / "bad.csv"
    bad.write_text("Only,Two\n1,2\n")
    result = runner.invoke(app, ["import", "cfr", str(bad)])
    assert result.exit_code == 2
    assert "missing columns" in result.output
