"""The report of an import in readable text (the JSON form is :meth:`ImportReport.as_json`)."""

from __future__ import annotations

from cybergov.importers.model import ImportReport
from cybergov.namespaces import shorten


def summary_rows(report: ImportReport) -> list[tuple[str, str]]:
    c = report.counts
    return [
        ("rows read", f"{c.rows:,}"),
        ("made", f"{c.made:,}"),
        ("matched", f"{c.matched:,}"),
        ("for review", f"{c.review:,}"),
        ("refused", f"{c.refused:,}"),
        ("statements", f"{c.triples:,}"),
    ]


def as_text(report: ImportReport) -> str:
    """The whole report: the summary, every problem, every match."""
    lines = [
        f"import {report.id} of {report.file} ({report.status})",
        f"graph {report.graph}",
        f"file SHA-256 {report.sha256}, importer {report.source} {report.importer_version}, "
        f"{report.seconds:.2f} s",
        "",
    ]
    lines += [f"{name:>12}: {value}" for name, value in summary_rows(report)]
    if report.derived_added or report.derived_removed:
        lines.append(
            f"derived statements: {report.derived_added:,} added, "
            f"{report.derived_removed:,} removed"
        )
    lines += ["", f"problems ({len(report.problems)}):"]
    lines += [f"  row {p.row}, {p.field}: {p.problem} -> {p.action}" for p in report.problems]
    lines += ["", f"matches ({len(report.matches)}):"]
    lines += [
        f"  row {m.row} {m.title!r} ({m.kind}) {m.verdict} {shorten(m.curated)} "
        f"score {m.score:.2f}: {m.reason}{' [decided by a reviewer]' if m.decided else ''}"
        for m in report.matches
    ]
    return "\n".join(lines) + "\n"


__all__ = ["as_text", "summary_rows"]
