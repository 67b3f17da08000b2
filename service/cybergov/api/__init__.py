"""The HTTP service: routers that translate HTTP to the library's functions.

Routers never build SPARQL: they call the library (:mod:`cybergov.exchange` for
resources, documentation, dumps and the dataset description; the query runner;
:mod:`cybergov.contribute` for contributions) and turn what it returns (or raises)
into responses.
"""

from cybergov.api.app import create_app

__all__ = ["create_app"]
