"""``--reload-data``: an edited data file is served after the next check; a broken one is not."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path

import pytest

from cybergov.api.reload import fingerprint, watch_data
from cybergov.api.service import Service, start_service
from cybergov.errors import ResourceNotFound
from cybergov.exchange.resources import describe_resource
from cybergov.settings import data_root
from tests.api.conftest import settings

STATE = """
@prefix cg: <https://w3id.org/cybergov/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/cybergov/id/state/{code}> a cg:State ; rdfs:label "{name}"@en ;
    cg:iso3166Alpha2 "{code}" .
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for folder in ("ontology", "queries"):
        shutil.copytree(data_root() / folder, tmp_path / folder)
    (tmp_path / "shapes").mkdir()
    (tmp_path / "kg").mkdir()
    (tmp_path / "kg" / "alpha.ttl").write_text(STATE.format(code="XA", name="Exampleland"))
    return tmp_path


def known(service: Service, code: str) -> bool:
    try:
        describe_resource(service.store, f"https://w3id.org/cybergov/id/state/{code}")
    except ResourceNotFound:
        return False
    return True


async def watch_until(service: Service, edit, done, *, seconds: float = 10.0) -> bool:
    task = asyncio.create_task(watch_data(service, interval=0.05))
    try:
        await asyncio.sleep(0.2)
        edit()
        for _ in range(int(seconds / 0.05)):
            await asyncio.sleep(0.05)
            if done():
                return True
        return False
    finally:
        task.cancel()


def test_an_edited_file_is_loaded_while_serving(root, tmp_path):
    service = start_service(settings(dump_dir=tmp_path / "dumps"), root=root)
    assert known(service, "XA") and not known(service, "XB")
    version = service.version()

    def edit() -> None:
        (root / "kg" / "alpha.ttl").write_text(STATE.format(code="XB", name="Testonia"))

    assert asyncio.run(watch_until(service, edit, lambda: known(service, "XB")))
    assert not known(service, "XA")
    assert service.version() != version
    service.close()


def test_a_broken_file_keeps_the_data_served(root, tmp_path, caplog):
    service = start_service(settings(dump_dir=tmp_path / "dumps"), root=root)

    def edit() -> None:
        (root / "kg" / "alpha.ttl").write_text("<broken")

    with caplog.at_level(logging.ERROR, logger="cybergov.api.service"):
        asyncio.run(watch_until(service, edit, lambda: "not reloaded" in caplog.text))
    assert "alpha.ttl" in caplog.text
    assert known(service, "XA")
    service.close()


def test_the_fingerprint_sees_every_data_file(root):
    names = {name for name, _, _ in fingerprint(root)}
    assert "kg/alpha.ttl" in names
    assert "ontology/cybergov.ttl" in names
    assert any(n.startswith("queries/rules/") for n in names)
    assert not any(n.startswith("queries/checks/") for n in names)  # checks are not loaded
