"""The routers of the service, one per resource; the app includes them in this order."""

from fastapi import APIRouter

from cybergov.api.routes import dumps, health, home, ontology, resources, shapes, void

ROUTERS: tuple[APIRouter, ...] = (
    home.router,
    health.router,
    resources.router,
    ontology.router,
    shapes.router,
    dumps.router,
    void.router,
)

__all__ = ["ROUTERS"]
