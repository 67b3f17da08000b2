"""Shared fixtures: one store loaded with the bundled ontology, graph and inferences."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat

from cybergov.execution import QueryRunner
from cybergov.knowledge.load import load
from cybergov.knowledge.ontology import ontology_modules
from cybergov.knowledge.remote_load import load_remote
from cybergov.knowledge.rules import materialise, read_rules
from cybergov.namespaces import graph_iri
from cybergov.settings import Settings, data_root
from cybergov.store import EmbeddedStore
from cybergov.store.factory import store_from_settings
from cybergov.store.remote import RemoteStore
from tests.servers import OxigraphServer, VirtuosoServer

FIXTURES = Path(__file__).parent / "fixtures"
#: Seconds the test Virtuoso gives a query (its MaxQueryExecutionTime).
VIRTUOSO_LIMIT = 20
#: Real public data sets kept beside the repository (see ../shared/data/README.md).
SHARED_DATA = Path(os.environ.get("CYBERGOV_SHARED_DATA", data_root().parent / "shared" / "data"))


#: The groups of tests (see :func:`pytest_collection_modifyitems`) that take longest, the
#: longest first, as the slowest tests of a CI log show them. They are handed to the
#: workers first, so that none of them starts last and leaves one worker running alone
#: while the others are idle; every other group follows in the order of collection.
LONGEST_FIRST = (
    "tests/api/test_contributions.py",
    "tests/browser/test_crawl.py",
    "virtuoso",
    "tests/exchange/test_stix.py",
    "tests/cli/test_check_command.py",
    "tests/api/test_server.py",
    "tests/cli/test_question_commands.py",
)


#: The Java programs the tests run (HermiT, the OWL API's profile checker, each a new JVM for
#: one graph) end before the JIT's optimising tier pays: with its first tier only, they give
#: the same answers for about half the processor time. A setting of the caller's is kept.
SHORT_LIVED_JAVA = {"JAVA_TOOL_OPTIONS": "-XX:TieredStopAtLevel=1"}


def pytest_configure(config: pytest.Config) -> None:
    """Run Java as :data:`SHORT_LIVED_JAVA` says; hand out the groups in the order of the
    collection (see :data:`LONGEST_FIRST`), not by their number of tests, pytest-xdist's
    default."""
    for name, value in SHORT_LIVED_JAVA.items():
        os.environ.setdefault(name, value)
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def xdist_group(item: pytest.Item) -> str:
    """The group of a test: its file, or ``virtuoso`` for every test of Virtuoso."""
    return "virtuoso" if item.get_closest_marker("virtuoso") else item.nodeid.split("::")[0]


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's, which reads the groups marked here
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``pytest -n N --dist loadgroup`` (pytest-xdist), keep each test file on one
    worker, so its module fixtures are built once, and every Virtuoso test on the same
    worker, so one Virtuoso is started and loaded per run; the longest groups go first."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        item.add_marker(pytest.mark.xdist_group(xdist_group(item)))
    if not getattr(config.option, "loadgroup", False):  # set in the workers of a loadgroup run
        return
    rank = {group: position for position, group in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(xdist_group(item), len(rank)))


@pytest.fixture(scope="session")
def loaded_store() -> Iterator[EmbeddedStore]:
    """The bundled ontology and knowledge graph with their inferences, in memory."""
    store = EmbeddedStore()
    load(store)
    yield store


#: The environment under which a command opens an on-disk store read-only: it never writes
#: to it, and a store left open by one reader does not lock another out.
READ_ONLY = {"CYBERGOV_READ_ONLY": "true"}


@pytest.fixture(scope="session")
def loaded_folder(tmp_path_factory: pytest.TempPathFactory, loaded_store: EmbeddedStore) -> Path:
    """An on-disk store holding what :func:`loaded_store` holds, made once per process, for
    commands that read a loaded store (``--store``, under :data:`READ_ONLY`) without loading
    the graph each time. No test may write to it: :func:`copy_of_loaded` gives a copy."""
    folder = tmp_path_factory.mktemp("loaded") / "store"
    store = EmbeddedStore(folder)
    source = loaded_store.oxigraph
    store.oxigraph.extend(source.quads_for_pattern(None, None, None, None))
    for graph in source.named_graphs():
        store.oxigraph.add_graph(graph)
    store.close()
    del store  # release the store's lock before a command opens it
    return folder


def copy_of_loaded(loaded_folder: Path, target: Path) -> Path:
    """A copy of the on-disk loaded store at ``target``, for a test that writes to it."""
    shutil.copytree(loaded_folder, target)
    return target


def ontology_store(*turtle_documents: str) -> EmbeddedStore:
    """A fresh store with the ontology, the given Turtle documents and their inferences."""
    store = EmbeddedStore()
    for module in ontology_modules():
        store.replace_graph(
            module.graph, module.path.read_bytes(), format=RdfFormat.TURTLE, source=str(module.path)
        )
    for number, document in enumerate(turtle_documents):
        store.replace_graph(
            graph_iri("kg", f"fixture-{number}"),
            document.encode(),
            format=RdfFormat.TURTLE,
            source=f"fixture {number}",
        )
    materialise(store, read_rules())
    return store


PREFIXES = """
@prefix cg: <https://w3id.org/cybergov/ontology#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix attribution: <https://w3id.org/cybergov/id/attribution/> .
@prefix attribution-basis: <https://w3id.org/cybergov/id/attribution-basis/> .
@prefix attribution-status: <https://w3id.org/cybergov/id/attribution-status/> .
@prefix group: <https://w3id.org/cybergov/id/group/> .
@prefix incident: <https://w3id.org/cybergov/id/incident/> .
@prefix incident-type: <https://w3id.org/cybergov/id/incident-type/> .
@prefix membership: <https://w3id.org/cybergov/id/membership/> .
@prefix norm: <https://w3id.org/cybergov/id/norm/> .
@prefix organ: <https://w3id.org/cybergov/id/organ/> .
@prefix organisation: <https://w3id.org/cybergov/id/organisation/> .
@prefix sector: <https://w3id.org/cybergov/id/sector/> .
@prefix state: <https://w3id.org/cybergov/id/state/> .
"""


# --- query execution and remote stores (see tests/servers.py) ----------------------------


@pytest.fixture(scope="session")
def runner(loaded_store: EmbeddedStore) -> Iterator[QueryRunner]:
    """A query runner over the loaded store; tests must not write to that store."""
    with QueryRunner(loaded_store, settings=Settings(query_timeout=20)) as started:
        yield started


@pytest.fixture(scope="session")
def oxigraph_server() -> Iterator[OxigraphServer]:
    """A real Oxigraph server on 127.0.0.1, with its default graph the union of its graphs."""
    with OxigraphServer(union=True) as server:
        yield server


@pytest.fixture(scope="session")
def remote_store(oxigraph_server: OxigraphServer) -> RemoteStore:
    """The Oxigraph server, loaded with the bundled ontology, graph and inferences."""
    store = store_from_settings(Settings(endpoint=oxigraph_server.query_endpoint, query_timeout=20))
    assert isinstance(store, RemoteStore)
    load_remote(store)
    return store


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """Debian's Virtuoso on 127.0.0.1 with a private configuration and database, one per run.

    Its own time limit (:data:`VIRTUOSO_LIMIT`) leaves a question room to compile and run on
    a busy machine, and is what the test of deadlines waits for."""
    with VirtuosoServer(tmp_path_factory.mktemp("virtuoso"), max_seconds=VIRTUOSO_LIMIT) as server:
        yield server


@pytest.fixture(scope="session")
def virtuoso_store(virtuoso_server: VirtuosoServer) -> RemoteStore:
    """Virtuoso loaded with the bundled graph through its authenticated endpoints."""
    store = store_from_settings(Settings(**virtuoso_server.settings(query_timeout=20)))  # type: ignore[arg-type]
    assert isinstance(store, RemoteStore)
    load_remote(store)
    return store
