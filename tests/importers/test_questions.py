"""Questions reach imported knowledge like curated knowledge, and can tell them apart."""

from __future__ import annotations

from datetime import date

from cybergov.execution import QueryRunner
from cybergov.importers.cfr import CfrImporter
from cybergov.importers.run import run_import
from cybergov.settings import Settings
from cybergov.sparql.catalogue import Catalogue
from cybergov.store.embedded import EmbeddedStore
from tests.importers.conftest import CFR_FIXTURE

ID = "https://w3id.org/cybergov/id/"


def test_disagreements_and_sources_with_an_import(store: EmbeddedStore) -> None:
    run_import(store, CfrImporter(), CFR_FIXTURE, name="fixture", as_of=date(2025, 6, 1))
    catalogue = Catalogue.load()
    with QueryRunner(store, settings=Settings(query_timeout=20)) as runner:
        rows = runner.answer(
            catalogue.get("source-disagreements"),
            {"incident": f"{ID}incident/olympic-destroyer-2018"},
        ).as_dicts()
        by_origin = {
            (r["firstOrigin"].value, r["firstState"].value, r["secondState"].value) for r in rows
        }
        assert ("cfr--fixture", f"{ID}state/KP", f"{ID}state/RU") in by_origin
        question = catalogue.get("attributions")
        imported = runner.answer(question, {"source": "cfr"}).as_dicts()
        assert imported and all("Council on Foreign Relations" in r["attributedBy"].value or r["origin"].value == "derived"
                                for r in imported)  # fmt: skip
        assert any(
            r["attribution"].value == f"{ID}attribution/notpetya-2017--cfr" for r in imported
        )
        curated = runner.answer(question, {"source": "curated"}).as_dicts()
        assert curated and not [
            r for r in curated if "Council on Foreign" in r["attributedBy"].value
        ]
        everything = runner.answer(question, {}).as_dicts()
        assert len(everything) > len(curated)
