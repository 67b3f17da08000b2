"""``cybergov export stix``, run as a user runs it."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cybergov.cli import app

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


def test_export_stix_since_and_bad_input(tmp_path):
    later = runner.invoke(app, ["export", "stix", "--since", "2999-01-01"])
    assert later.exit_code == 0, later.output
    assert [o["type"] for o in json.loads(later.stdout)["objects"]] == [
        "identity",
        "marking-definition",
    ]
    bad = runner.invoke(app, ["export", "stix", "--since", "last week"])
    assert bad.exit_code == 2
    assert "not a date" in bad.output
    missing = runner.invoke(app, ["export", "stix", "--graph", "https://example.org/g"])
    assert missing.exit_code == 2
    assert "no graph" in missing.output
