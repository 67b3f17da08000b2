"""Commands that build and check the graph: ``load``, ``check``, ``fmt``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cybergov.cli.app import (
    EndpointOption,
    Exit,
    StoreOption,
    app,
    console,
    fail,
)
from cybergov.errors import CybergovError
from cybergov.knowledge.canonical import canonicalise, is_canonical
from cybergov.knowledge.checks import run_checks
from cybergov.knowledge.load import LoadReport
from cybergov.knowledge.ready import Use, open_ready
from cybergov.knowledge.summary import StoreSummary, summarise
from cybergov.settings import data_folder, load_settings
from cybergov.store import Store


def print_summary(summary: StoreSummary) -> None:
    table = Table(
        title=f"{summary.quads:,} quads in {summary.graphs} named graphs", title_justify="left"
    )
    table.add_column("class")
    table.add_column("instances", justify="right")
    for item in summary.classes:
        table.add_row(item.label, f"{item.count:,}")
    console.print(table)


def print_load(report: LoadReport) -> None:
    console.print(
        f"loaded {len(report.loaded)} files, {len(report.unchanged)} unchanged, "
        f"{len(report.removed)} removed, in {report.seconds:.2f} s"
    )
    if report.inference is not None:
        console.print(
            f"inferred {report.inference.total:,} triples in {report.inference.rounds} rounds "
            f"({report.inference.seconds:.2f} s)"
        )


def load_into(store: Path | None, endpoint: str | None, *, force: bool = False) -> Store:
    """Open the store the options name, load everything into it and say what was loaded.

    Raises:
        CybergovError: the settings are invalid, or the load fails.
    """
    settings = load_settings(store=store, endpoint=endpoint)
    ready = open_ready(settings, Use.LOAD, force=force)
    if ready.report is not None:
        print_load(ready.report)
    return ready.store


@app.command("load")
def load_command(
    store: StoreOption = None,
    endpoint: EndpointOption = None,
    force: Annotated[bool, typer.Option("--force", help="Reload files even if unchanged.")] = False,
) -> None:
    """Load the ontology, the curated graph and the inferences, and print a summary.

    With --endpoint, the graph is built here and sent to the SPARQL server one
    named graph at a time (Graph Store Protocol); unchanged graphs are skipped.
    """
    try:
        target = load_into(store, endpoint, force=force)
    except CybergovError as error:
        raise fail(error) from error
    try:
        print_summary(summarise(target))
    except CybergovError as error:
        raise fail(error) from error
    finally:
        target.close()


@app.command("check")
def check_command(
    store: StoreOption = None,
    endpoint: EndpointOption = None,
    reasoner: Annotated[
        bool,
        typer.Option(
            "--reasoner/--no-reasoner",
            help="Reason over the published graph with HermiT and check it against the "
            "OWL 2 DL profile with the OWL API.",
        ),
    ] = True,
) -> None:
    """Load everything, reason over it as partners do, run every quality check.

    With the reasoner (the default), HermiT must find the ontology with every
    curated and derived fact consistent, with no unsatisfiable class, and the
    OWL API's profile checker must find it in OWL 2 DL.

    Exits 0 when all pass, 1 when any fails, 2 when the data cannot be loaded.
    """
    failed = False
    try:
        target = load_into(store, endpoint)
    except CybergovError as error:
        raise fail(error) from error
    try:
        if reasoner:
            failed |= not report_reasoning(target)
        for result in run_checks(target):
            if result.passed:
                console.print(f"[green]pass[/green] {result.name}: {result.summary}")
                continue
            failed |= result.failed
            verdict = "[red]FAIL[/red]" if result.failed else "[yellow]WARN[/yellow]"
            console.print(f"{verdict} {result.name}: {result.summary} ({len(result.violations)})")
            for violation in result.violations[:50]:
                console.print(f"    <{violation.focus}> {violation.message}", highlight=False)
            if len(result.violations) > 50:
                console.print(f"    ... and {len(result.violations) - 50} more")
        print_summary(summarise(target))
    except CybergovError as error:
        raise fail(error) from error
    finally:
        target.close()
    raise typer.Exit(Exit.FAILED if failed else Exit.OK)


def report_reasoning(store: Store) -> bool:
    """HermiT and the OWL API's profile checker on the published graph; whether both passed."""
    from cybergov.knowledge.consistency import check_consistency, published_triples
    from cybergov.knowledge.profile import check_profile

    triples = published_triples(store)
    consistency = check_consistency(triples)
    passed = consistency.ok
    if consistency.ok:
        console.print(
            f"[green]pass[/green] reasoner: the ontology with {consistency.triples:,} "
            f"published triples is consistent, no unsatisfiable class "
            f"({consistency.classes} classes, HermiT {consistency.seconds:.1f} s)"
        )
    elif consistency.refused:
        console.print(f"[red]FAIL[/red] reasoner: HermiT refused the graph: {consistency.refused}")
    elif not consistency.consistent:
        console.print("[red]FAIL[/red] reasoner: the published graph is inconsistent")
    for iri in consistency.unsatisfiable:
        console.print(f"[red]FAIL[/red] reasoner: unsatisfiable class <{iri}>")
    profile = check_profile(triples)
    if profile.ok:
        console.print(
            f"[green]pass[/green] OWL 2 DL profile: no violation in {profile.axioms:,} axioms "
            f"(OWL API, {profile.seconds:.1f} s)"
        )
    else:
        passed = False
        console.print(
            f"[red]FAIL[/red] OWL 2 DL profile: {len(profile.violations)} violations (OWL API)"
        )
        for violation in profile.violations[:50]:
            console.print(f"    {violation.kind}: {violation.text}", highlight=False)
    return passed


@app.command("fmt")
def fmt_command(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Turtle files (default: all of the project's).")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Only report files not in canonical form.")
    ] = False,
) -> None:
    """Rewrite Turtle files in the project's one canonical form."""
    targets = files or sorted(
        p for folder in ("ontology", "kg", "shapes") for p in data_folder(folder).rglob("*.ttl")
    )
    try:
        if check:
            stale = [p for p in targets if not is_canonical(p)]
            for path in stale:
                console.print(f"not canonical: {path}  (fix: cybergov fmt {path})", highlight=False)
            raise typer.Exit(Exit.FAILED if stale else Exit.OK)
        changed = [p for p in targets if canonicalise(p)]
        console.print(f"{len(changed)} of {len(targets)} files rewritten")
    except CybergovError as error:
        raise fail(error) from error


__all__ = ["check_command", "fmt_command", "load_command"]
