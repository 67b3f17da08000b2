"""The HTTP service: routers that translate HTTP to the library's functions.

Routers never build SPARQL: they call ``describe``, ``ontodoc``, ``export``
and the store, and turn what those return (or raise) into responses.
"""

from cybergov.api.app import create_app

__all__ = ["create_app"]
