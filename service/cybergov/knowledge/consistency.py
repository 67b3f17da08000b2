"""The ontology checked by a DL reasoner (HermiT, run by owlready2).

HermiT refuses ``xsd:date``, which the ontology uses as a range, unless told
to ignore unsupported datatypes; it is used here to prove the ontology
consistent and find unsatisfiable classes, not to reason over the data.
"""

from __future__ import annotations

import contextlib
import io
import logging
import time
from dataclasses import dataclass, field

import owlready2
from pyoxigraph import NamedNode, RdfFormat, parse, serialize

from cybergov.errors import ReasonerError
from cybergov.knowledge.ontology import OntologyModule, ontology_modules
from cybergov.namespaces import CG, ONTOLOGY_IRI

log = logging.getLogger(__name__)
_OWL_IMPORTS = NamedNode("http://www.w3.org/2002/07/owl#imports")


@dataclass(frozen=True, slots=True)
class ConsistencyReport:
    """What the reasoner said of the ontology."""

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    classes: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable


def merged_ontology_ntriples(modules: list[OntologyModule]) -> bytes:
    """The ontology's modules as one N-Triples document, without their imports."""
    triples = [
        triple
        for module in modules
        for triple in parse(path=str(module.path), format=RdfFormat.TURTLE)
        if triple.predicate != _OWL_IMPORTS
    ]
    return serialize(triples, format=RdfFormat.N_TRIPLES) or b""


def prove_consistency(modules: list[OntologyModule] | None = None) -> ConsistencyReport:
    """Run HermiT on the ontology and report consistency and unsatisfiable classes.

    Raises:
        ReasonerError: the reasoner could not run (for example, no Java).
    """
    modules = modules or ontology_modules()
    data = merged_ontology_ntriples(modules)
    world = owlready2.World()
    ontology = world.get_ontology(ONTOLOGY_IRI).load(fileobj=io.BytesIO(data), format="ntriples")
    started = time.perf_counter()
    quiet = io.StringIO()
    try:
        with ontology, contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
            owlready2.sync_reasoner_hermit(world, debug=0, ignore_unsupported_datatypes=True)
    except owlready2.OwlReadyInconsistentOntologyError:
        return ConsistencyReport(consistent=False, seconds=time.perf_counter() - started)
    except (FileNotFoundError, owlready2.OwlReadyJavaError) as error:
        raise ReasonerError(
            "the HermiT reasoner could not run; it needs Java on the PATH "
            f"(Debian: apt-get install default-jre-headless): {error}"
        ) from error
    finally:
        if quiet.getvalue().strip():
            log.debug("reasoner output: %s", quiet.getvalue())
    unsatisfiable = sorted(
        c.iri
        for c in world.inconsistent_classes()
        if c.iri != "http://www.w3.org/2002/07/owl#Nothing"
    )
    classes = [c for c in world.classes() if c.iri.startswith(str(CG))]
    world.close()
    return ConsistencyReport(
        consistent=True,
        unsatisfiable=unsatisfiable,
        classes=len(classes),
        seconds=time.perf_counter() - started,
    )
