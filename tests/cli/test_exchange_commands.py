"""The export commands, run as a user runs them."""

from __future__ import annotations

import frictionless
from typer.testing import CliRunner

from cybergov.cli import app

runner = CliRunner()


def test_export_tables_writes_a_valid_data_package(tmp_path):
    result = runner.invoke(app, ["export", "tables", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "attributions" in result.output
    assert frictionless.validate(tmp_path / "out" / "datapackage.json").valid
