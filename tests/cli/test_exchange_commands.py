"""The export commands, run as a user runs them."""

from __future__ import annotations

import json

import frictionless
from typer.testing import CliRunner

from cybergov.cli import app
from cybergov.exchange.changesets import apply_patch, read_patch
from cybergov.knowledge.canonical import canonical_checksum
from tests.conftest import READ_ONLY

runner = CliRunner()


def test_export_tables_writes_a_valid_data_package(tmp_path):
    result = runner.invoke(app, ["export", "tables", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "attributions" in result.output
    assert frictionless.validate(tmp_path / "out" / "datapackage.json").valid


def test_release_then_changes_to_the_live_store(tmp_path, loaded_folder):
    """The release is made as a user first makes one, loading the graph into memory; the
    commands after it read the loaded on-disk store, read-only."""
    folder = tmp_path / "releases"
    live = ["--store", str(loaded_folder)]
    made = runner.invoke(
        app, ["release", "1.0.0", "--date", "2026-12-01", "--releases", str(folder)]
    )
    assert made.exit_code == 0, made.output
    manifest = json.loads((folder / "1.0.0" / "release.json").read_text())
    assert (manifest["version"], manifest["date"]) == ("1.0.0", "2026-12-01")
    again = runner.invoke(
        app, ["release", "1.0.0", "--releases", str(folder), *live], env=READ_ONLY
    )
    assert again.exit_code == 2 and "never made again" in again.output
    patch_file = tmp_path / "changes.rdfp"
    changes = runner.invoke(
        app,
        ["changes", "1.0.0", "-o", str(patch_file), "--releases", str(folder), *live],
        env=READ_ONLY,
    )
    assert changes.exit_code == 0, changes.output
    patch = read_patch(patch_file.read_text())
    copy = (folder / "1.0.0" / "cybergov.canonical.nq").read_text().splitlines()
    assert canonical_checksum(apply_patch(copy, patch)) == patch.headers["toChecksum"]
    missing = runner.invoke(
        app, ["changes", "0.9.0", "--releases", str(folder), *live], env=READ_ONLY
    )
    assert missing.exit_code == 2
