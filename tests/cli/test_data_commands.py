"""The load, check and fmt commands, run as a user runs them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cybergov.cli import app

runner = CliRunner()


def test_load_twice_into_an_on_disk_store_skips_unchanged_files(tmp_path):
    first = runner.invoke(app, ["load", "--store", str(tmp_path / "store")])
    assert first.exit_code == 0, first.output
    assert "quads in" in first.output and "state" in first.output
    second = runner.invoke(app, ["load", "--store", str(tmp_path / "store")])
    assert second.exit_code == 0, second.output
    assert "loaded 0 files" in second.output


def test_fmt_check_reports_a_file_out_of_form(tmp_path):
    messy = tmp_path / "messy.ttl"
    messy.write_text("<https://example.org/a>    <https://example.org/b> <https://example.org/c> .")
    result = runner.invoke(app, ["fmt", "--check", str(messy)])
    assert result.exit_code == 1
    assert f"cybergov fmt {messy}" in result.output.replace("\n", "")
    fixed = runner.invoke(app, ["fmt", str(messy)])
    assert fixed.exit_code == 0
    assert runner.invoke(app, ["fmt", "--check", str(messy)]).exit_code == 0


def test_fmt_on_a_broken_file_exits_2_and_names_it(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b>")
    result = runner.invoke(app, ["fmt", str(broken)])
    assert result.exit_code == 2
    assert "broken.ttl" in result.output


def test_the_console_script_is_installed_and_answers():
    script = Path(sys.executable).with_name("cybergov")
    executable = str(script) if script.exists() else shutil.which("cybergov")
    assert executable, "the cybergov console script is not installed"
    done = subprocess.run(
        [executable, "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0
    assert "load" in done.stdout and "check" in done.stdout
