"""``cybergov export stix``, run as a user runs it."""

from __future__ import annotations

import json

from typer.testing import CliRunner, Result

from cybergov.cli import app
from tests.conftest import READ_ONLY

runner = CliRunner()


def test_export_stix_writes_a_bundle_and_the_same_identifiers_twice(tmp_path):
    first, second = tmp_path / "one.json", tmp_path / "two.json"
    for target in (first, second):
        done = runner.invoke(app, ["export", "stix", "-o", str(target)])
        assert done.exit_code == 0, done.output
    bundle = json.loads(first.read_text())
    assert bundle["type"] == "bundle"
    kinds = {o["type"] for o in bundle["objects"]}
    assert {"identity", "intrusion-set", "incident", "relationship", "report"} <= kinds
    assert [o["id"] for o in bundle["objects"]] == [
        o["id"] for o in json.loads(second.read_text())["objects"]
    ]


def test_export_stix_since_and_bad_input(loaded_folder):
    def export(*arguments: str) -> Result:
        """The export of the loaded on-disk store, read-only."""
        return runner.invoke(
            app, ["export", "stix", "--store", str(loaded_folder), *arguments], env=READ_ONLY
        )

    later = export("--since", "2999-01-01")
    assert later.exit_code == 0, later.output
    assert [o["type"] for o in json.loads(later.stdout)["objects"]] == [
        "identity",
        "marking-definition",
    ]
    bad = export("--since", "last week")
    assert bad.exit_code == 2
    assert "not a date" in bad.output
    missing = export("--graph", "https://example.org/g")
    assert missing.exit_code == 2
    assert "no graph" in missing.output
