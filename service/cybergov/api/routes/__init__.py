"""The routers of the service, one per resource; the app includes them in this order."""

from fastapi import APIRouter

from cybergov.api.routes import (
    contributions,
    docs,
    dumps,
    health,
    home,
    imports,
    incidents,
    ontology,
    releases,
    resources,
    search,
    shapes,
    sparql,
    stix,
    taxii,
    views,
    void,
)

#: The routers with fixed routes; the questions' router is made from the catalogue
#: (:func:`cybergov.api.routes.questions.questions_router`).
ROUTERS: tuple[APIRouter, ...] = (
    home.router,
    health.router,
    search.router,
    incidents.router,
    views.router,
    docs.router,
    sparql.router,
    contributions.router,
    imports.router,
    resources.router,
    ontology.router,
    shapes.router,
    dumps.router,
    releases.router,
    stix.router,
    taxii.router,
    void.router,
)

__all__ = ["ROUTERS"]
