"""The published graph checked as partners check it, with HermiT (run by owlready2).

The published graph is the ontology with every curated, imported, contributed
and derived fact: what the dumps hold. HermiT reasons over all of it, with no
option that makes it skip what it would otherwise refuse (such as an
unsupported datatype), and says whether it is consistent and which classes
are unsatisfiable. Dates are ``xsd:dateTime`` at midnight and explanations
``rdf:PlainLiteral``, both of the OWL 2 datatype map, so nothing is refused.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import owlready2
from pyoxigraph import NamedNode, RdfFormat, Triple, parse, serialize

from cybergov.errors import ReasonerError
from cybergov.knowledge.ontology import OntologyModule, ontology_modules
from cybergov.namespaces import CG, ONTOLOGY_IRI
from cybergov.store.base import Store

log = logging.getLogger(__name__)
_OWL_IMPORTS = NamedNode("http://www.w3.org/2002/07/owl#imports")
_OWL_NOTHING = "http://www.w3.org/2002/07/owl#Nothing"
#: What HermiT says when it refuses the input instead of reasoning over it.
_REFUSAL = re.compile(r"(Unsupported\w*Exception|UnsupportedDatatype)[^\n]*")


@dataclass(frozen=True, slots=True)
class ConsistencyReport:
    """What the reasoner said of the graph it was given."""

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    classes: int = 0
    triples: int = 0
    seconds: float = 0.0
    #: Why HermiT refused the graph without reasoning over it, if it did.
    refused: str | None = None

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable and self.refused is None


def without_imports(triples: Iterable[Triple]) -> list[Triple]:
    """The triples but ``owl:imports``: the modules are all there, nothing is fetched."""
    return [triple for triple in triples if triple.predicate != _OWL_IMPORTS]


def ontology_triples(modules: list[OntologyModule] | None = None) -> list[Triple]:
    """The ontology's modules as one list of triples, without their imports."""
    return without_imports(
        triple
        for module in (modules or ontology_modules())
        for triple in parse(path=str(module.path), format=RdfFormat.TURTLE)
    )


def published_triples(store: Store) -> list[Triple]:
    """Every triple of every named graph of the store, once, without ``owl:imports``."""
    seen: set[Triple] = set()
    for graph in store.named_graphs():
        seen.update(store.graph_triples(graph))
    return without_imports(sorted(seen, key=str))


def check_consistency(triples: list[Triple]) -> ConsistencyReport:
    """Run HermiT on the triples: consistency and unsatisfiable classes.

    Raises:
        ReasonerError: the reasoner could not run (for example, no Java).
    """
    data = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
    world = owlready2.World()
    ontology = world.get_ontology(ONTOLOGY_IRI).load(fileobj=io.BytesIO(data), format="ntriples")
    started = time.perf_counter()
    quiet = io.StringIO()
    try:
        with ontology, contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
            owlready2.sync_reasoner_hermit(world, debug=0, infer_property_values=False)
    except owlready2.OwlReadyInconsistentOntologyError:
        world.close()
        return ConsistencyReport(
            consistent=False, triples=len(triples), seconds=time.perf_counter() - started
        )
    except owlready2.OwlReadyJavaError as error:
        refusal = _REFUSAL.search(str(error))
        world.close()
        if refusal is None:
            raise ReasonerError(f"the HermiT reasoner failed: {error}") from error
        return ConsistencyReport(
            consistent=False,
            triples=len(triples),
            seconds=time.perf_counter() - started,
            refused=refusal.group(0),
        )
    except FileNotFoundError as error:
        raise ReasonerError(
            "the HermiT reasoner could not run; it needs Java on the PATH "
            f"(Debian: apt-get install default-jre-headless): {error}"
        ) from error
    finally:
        if quiet.getvalue().strip():
            log.debug("reasoner output: %s", quiet.getvalue())
    unsatisfiable = sorted(c.iri for c in world.inconsistent_classes() if c.iri != _OWL_NOTHING)
    classes = [c for c in world.classes() if c.iri.startswith(str(CG))]
    world.close()
    return ConsistencyReport(
        consistent=True,
        unsatisfiable=unsatisfiable,
        classes=len(classes),
        triples=len(triples),
        seconds=time.perf_counter() - started,
    )


def prove_consistency(modules: list[OntologyModule] | None = None) -> ConsistencyReport:
    """Run HermiT on the ontology alone."""
    return check_consistency(ontology_triples(modules))
